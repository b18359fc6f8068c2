/** Snapshots: rows from an inventory or from edges, filters, and YAML / CSV / JSON output. */
export * from "./rows.ts";
export * from "./filters.ts";
export * from "./yaml.ts";
export * from "./csv.ts";
export * from "./json.ts";
export * from "./format.ts";
