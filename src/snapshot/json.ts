/** The JSON snapshot: the YAML's content plus media type and size where known (pure). */
import type { Snapshot } from "./rows.ts";

/** One digest in the JSON snapshot. */
export interface JsonDigest {
  digest: string;
  tags: string[];
  mediaType?: string;
  size?: number;
}

/** One image in the JSON snapshot. */
export interface JsonImage {
  name: string;
  digests: JsonDigest[];
}

/**
 * Formats a snapshot as a JSON array of `{ name, digests: [{ digest, tags, mediaType?,
 * size? }] }`, indented by two spaces, with a final newline.
 */
export function formatJson(images: Snapshot): string {
  const out: JsonImage[] = images.map((image) => ({
    name: image.name,
    digests: image.digests.map((d) => {
      const j: JsonDigest = { digest: d.digest, tags: [...d.tags] };
      if (d.mediaType !== undefined) j.mediaType = d.mediaType;
      if (d.size !== undefined) j.size = d.size;
      return j;
    }),
  }));
  return `${JSON.stringify(out, null, 2)}\n`;
}
