/**
 * Promotion end to end: the pipeline (pipeline.ts: open -> inventory -> plan -> execute ->
 * outcome), its steps, the attachments that travel with the images, the scope of a run, and
 * the text and JSON that report it.
 */
export * from "./access.ts";
export * from "./pipeline.ts";
export * from "./scope.ts";
export * from "./open.ts";
export * from "./inventory.ts";
export * from "./plan.ts";
export * from "./complete.ts";
export * from "./copier.ts";
export * from "./execute.ts";
export * from "./attachments.ts";
export * from "./attachments_copy.ts";
export * from "./attachments_report.ts";
export * from "./outcome.ts";
export * from "./report.ts";
export * from "./log_lines.ts";
export * from "./manifest_refs.ts";
export * from "./trust_gate.ts";
export * from "./sign_step.ts";
