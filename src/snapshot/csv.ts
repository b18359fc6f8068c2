/** The CSV snapshot: one line per tag, `image@digest,image:tag`, `-` for tagless (pure). */
import { stringify } from "csv-stringify/sync";
import type { Snapshot } from "./rows.ts";

/**
 * Formats a snapshot as CSV without a header: `foo@sha256:…,foo:1.0` for every tag of every
 * digest, `foo@sha256:…,-` for a digest without tags.
 */
export function formatCsv(images: Snapshot): string {
  const records: string[][] = [];
  for (const image of images) {
    for (const d of image.digests) {
      const ref = `${image.name}@${d.digest}`;
      if (d.tags.length === 0) records.push([ref, "-"]);
      for (const tag of d.tags) records.push([ref, `${image.name}:${tag}`]);
    }
  }
  return records.length === 0 ? "" : stringify(records, { record_delimiter: "unix" });
}
