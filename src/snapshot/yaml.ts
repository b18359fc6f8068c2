/** The YAML snapshot: exactly the `images.yaml` format of promoter manifests (pure). */
import type { Snapshot } from "./rows.ts";

/** Words some YAML readers take for booleans or null when written plain. */
const RESERVED = new Set(["true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"]);

/**
 * Writes a name plain when every YAML reader takes it for a string (it starts with a letter
 * and is no reserved word), else double-quoted.
 */
function yamlName(name: string): string {
  const plain = /^[a-z][a-z0-9._/-]*$/.test(name) && !RESERVED.has(name);
  return plain ? name : JSON.stringify(name);
}

/**
 * Formats a snapshot as an images list:
 *
 * ```yaml
 * - name: foo
 *   dmap:
 *     "sha256:…": ["1.0", "latest"]
 *     "sha256:…": []
 * ```
 *
 * An empty snapshot is the empty list `[]`.
 */
export function formatYaml(images: Snapshot): string {
  if (images.length === 0) return "[]\n";
  const lines: string[] = [];
  for (const image of images) {
    lines.push(`- name: ${yamlName(image.name)}`);
    lines.push("  dmap:");
    for (const d of image.digests) {
      const tags = d.tags.map((t) => JSON.stringify(t)).join(", ");
      lines.push(`    ${JSON.stringify(d.digest)}: [${tags}]`);
    }
  }
  return `${lines.join("\n")}\n`;
}
