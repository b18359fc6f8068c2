/**
 * Snapshots: taking one of a registry or of what manifests promote (pipeline.ts), rows from an
 * inventory or from edges, filters, and YAML / CSV / JSON output.
 */
export * from "./pipeline.ts";
export * from "./rows.ts";
export * from "./filters.ts";
export * from "./yaml.ts";
export * from "./csv.ts";
export * from "./json.ts";
export * from "./format.ts";
