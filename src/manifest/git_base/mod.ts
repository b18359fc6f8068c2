/**
 * The manifests at a git base: which revision a run compares with (flags, Prow's environment),
 * the one place git runs, and the manifests read from that revision as the head's are read.
 * Used by the pre-submit checks and by scoped promotion.
 */
export { type BaseFlags, type BaseRequest, baseRequest, DiffBaseError } from "./base_request.ts";
export { Git, GitError, type TreeFile } from "./git.ts";
export { type GitReader, GitTree } from "./git_tree.ts";
export {
  type Base,
  BaseManifestError,
  type BaseState,
  readBase,
  type ReadBaseOptions,
  repoPath,
  type RepoPlace,
  repoPlace,
} from "./load_base.ts";
