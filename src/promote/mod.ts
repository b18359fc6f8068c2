/** Promotion: plan by set logic, digest-preserving execution, outcome and reports. */
export * from "./plan.ts";
export * from "./complete.ts";
export * from "./copier.ts";
export * from "./execute.ts";
export * from "./outcome.ts";
export * from "./report.ts";
export * from "./manifest_refs.ts";
