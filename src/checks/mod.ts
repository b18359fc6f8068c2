/**
 * Pre-submit checks for changes to manifests: the Check interface, every check (one file each,
 * listed in all.ts), choosing and running them over a change (run.ts), and their findings as
 * text. Files whose name starts with `_` are helpers of the checks, not imported from outside.
 */
export * from "./check.ts";
export { ALL_CHECKS } from "./all.ts";
export {
  type ChecksResult,
  hasErrors,
  parseCheckList,
  type PreSubmitInput,
  type ReportedFinding,
  runPreSubmit,
  selectChecks,
  type Selection,
} from "./run.ts";
export { checksSummary, formatAnnotation, formatFinding } from "./findings_text.ts";
