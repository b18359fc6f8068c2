/** The snapshot output formats and the one function that picks a formatter (pure). */
import { formatCsv } from "./csv.ts";
import { formatJson } from "./json.ts";
import type { Snapshot } from "./rows.ts";
import { formatYaml } from "./yaml.ts";

/** The values `--output` accepts, the default first. */
export const OUTPUT_FORMATS = ["yaml", "csv", "json"] as const;

/** One snapshot output format. */
export type OutputFormat = typeof OUTPUT_FORMATS[number];

/** Whether `s` names an output format. */
export function isOutputFormat(s: string): s is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(s);
}

/** Formats a sorted snapshot in the given format. */
export function formatSnapshot(images: Snapshot, format: OutputFormat): string {
  switch (format) {
    case "yaml":
      return formatYaml(images);
    case "csv":
      return formatCsv(images);
    case "json":
      return formatJson(images);
  }
}
