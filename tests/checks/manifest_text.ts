/** Writes promoter manifests for tests: registries and images as YAML text. */

/** A digest of 64 hex digits made from a short label: `d("a")` = `sha256:aaaa…`. */
export function d(label: string): string {
  return `sha256:${label.repeat(64).slice(0, 64)}`;
}

/** One image: its name and digest -> tags. */
export interface ImageText {
  name: string;
  dmap: Record<string, string[]>;
}

/** The `images:` entries as YAML lines (indented for a plain manifest, or at top level). */
export function imagesYaml(images: ImageText[], indent = ""): string {
  const lines: string[] = [];
  for (const img of images) {
    lines.push(`${indent}- name: ${img.name}`, `${indent}  dmap:`);
    for (const [digest, tags] of Object.entries(img.dmap)) {
      lines.push(`${indent}    "${digest}": [${tags.map((t) => `"${t}"`).join(", ")}]`);
    }
  }
  return lines.join("\n") + "\n";
}

/** A plain manifest promoting from `src` to `dsts`. */
export function plainManifest(src: string, dsts: string[], images: ImageText[]): string {
  return registriesYaml(src, dsts) + "images:\n" + imagesYaml(images);
}

/** The `registries:` part of a manifest. */
export function registriesYaml(src: string, dsts: string[]): string {
  return "registries:\n" + `- name: ${src}\n  src: true\n` +
    dsts.map((n) => `- name: ${n}\n`).join("");
}

/** The line (1-based) of the first line of `text` containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`fixture: "${needle}" not in the text`);
  return i + 1;
}
