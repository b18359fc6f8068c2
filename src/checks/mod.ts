/**
 * Pre-submit checks for changes to manifests: the Check interface, every check, running them,
 * reading the manifests at a git base, and scoping a promotion to what a change touched.
 */
export * from "./check.ts";
export { ALL_CHECKS } from "./all.ts";
export {
  type ChecksResult,
  hasErrors,
  parseCheckList,
  type ReportedFinding,
  runChecks,
  selectChecks,
  type Selection,
} from "./run.ts";
export { escapeData, escapeProperty, formatAnnotation, formatFinding } from "./annotations.ts";
export { scopeEdges } from "./scope.ts";
export { type BaseFlags, type BaseRequest, baseRequest, DiffBaseError } from "./diff_base.ts";
export { Git, GitError } from "./git.ts";
export {
  BaseManifestError,
  loadBaseManifests,
  repoPath,
  type RepoPlace,
  repoPlace,
} from "./base.ts";
