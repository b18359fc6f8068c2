/** Builds manifests and edges by hand for promotion tests (independent of the edge computer). */
import type { Edge, Manifest, Position, RegistrySpec } from "../../src/manifest/types.ts";

const pos = (line: number): Position => ({ file: "promoter-manifest.yaml", line, col: 5 });

/** A registry entry of a manifest. */
export function registry(name: string, src = false): RegistrySpec {
  return { name, src, pos: pos(1) };
}

/** A manifest promoting from `src` to the `dsts`, with no images (edges carry them). */
export function manifestOf(src: string, dsts: string[]): Manifest {
  return {
    file: "promoter-manifest.yaml",
    imagesFile: "promoter-manifest.yaml",
    registries: [registry(src, true), ...dsts.map((d) => registry(d))],
    images: [],
  };
}

let line = 10;

/** One edge of `m` to destination `dst`: image@digest with a tag or none. */
export function edge(
  m: Manifest,
  dst: string,
  image: string,
  digest: string,
  tag: string | null,
): Edge {
  const src = m.registries.find((r) => r.src);
  const d = m.registries.find((r) => !r.src && r.name === dst);
  if (!src || !d) throw new Error(`fixture: ${dst} is not a destination of the manifest`);
  return { manifest: m, src, dst: d, image, digest, tag, pos: pos(line++), field: "images[0]" };
}
