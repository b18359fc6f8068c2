/**
 * Findings as text (pure): log lines for people, workflow commands for GitHub Actions, and the
 * one line that sums up a pre-submit step.
 */
import { escapeControls } from "../safe_text.ts";
import type { ChecksResult, ReportedFinding } from "./run.ts";

/** `file:line: message [check]` for the log. */
export function formatFinding(f: ReportedFinding): string {
  const where = f.file === undefined
    ? ""
    : f.line === undefined
    ? `${f.file}: `
    : `${f.file}:${f.line}: `;
  return `${where}${f.message} [${f.check}]`;
}

/**
 * A GitHub Actions workflow command that shows the finding as an annotation:
 * `::error file=F,line=L,title=T::message`. `file` must be relative to the repository root;
 * `pathOf` maps the finding's file to that path.
 */
export function formatAnnotation(
  f: ReportedFinding,
  pathOf: (file: string) => string = (file) => file,
): string {
  const props: string[] = [];
  if (f.file !== undefined) {
    props.push(`file=${escapeProperty(pathOf(f.file))}`);
    if (f.line !== undefined) props.push(`line=${f.line}`);
  }
  props.push(`title=${escapeProperty(`cip ${f.check}`)}`);
  return `::${f.severity} ${props.join(",")}::${escapeData(f.message)}`;
}

/** `checks: N ran (names), M skipped (why: --log-level=debug), E errors, W warnings`. */
export function checksSummary(result: ChecksResult): string {
  const errors = result.findings.filter((f) => f.severity === "error").length;
  const warnings = result.findings.length - errors;
  return `checks: ${result.ran.length} ran (${result.ran.join(", ") || "none"}), ` +
    (result.skipped.length > 0
      ? `${result.skipped.length} skipped (why: --log-level=debug), `
      : "") +
    `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`;
}

/**
 * Escapes a workflow command's message: `%`, carriage return and newline as GitHub decodes
 * them, any other control character as a visible escape (it must not reach the log raw).
 */
function escapeData(s: string): string {
  return escapeControls(
    s.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A"),
  );
}

/** Escapes a workflow command's property value: as data, plus `:` and `,`. */
function escapeProperty(s: string): string {
  return escapeData(s).replaceAll(":", "%3A").replaceAll(",", "%2C");
}
