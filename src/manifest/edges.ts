/** The promotion edges of a set of manifests, with redundant edges merged and overlaps found (pure). */
import { ManifestError } from "./errors.ts";
import type { Edge, ImageSpec, Manifest, RegistrySpec } from "./types.ts";

/** Two edges that want one destination tag with different digests. */
export interface Overlap {
  /** The destination reference both want, `registry/image:tag`. */
  target: string;
  /** The edge seen first. */
  a: Edge;
  /** The edge that wants another digest. */
  b: Edge;
}

/** An edge left out because an earlier edge already puts the same digest at the same place. */
export interface RedundantEdge {
  kept: Edge;
  dropped: Edge;
}

/** The edges of a set of manifests, with redundant ones merged and overlaps found. */
export interface EdgeSet {
  /** Every distinct edge, in manifest, destination registry, image, digest, tag order. */
  edges: Edge[];
  /** The redundant edges and the edges they repeat. */
  redundantEdges: RedundantEdge[];
  /** Destination tags wanted with different digests (an error for every mode that promotes). */
  overlaps: Overlap[];
}

/**
 * Computes the promotion edges of the manifests: for every destination registry (every
 * registry but the source), image, digest and tag an edge, and one tagless edge for a digest
 * without tags. Two edges for one destination tag (or one tagless digest) are redundant when
 * they want the same digest, and an overlap when they want different ones; this holds across
 * manifests, and registries with path prefixes are compared by their full destination path.
 * Manifests without a source registry give no edges.
 */
export function computeEdges(manifests: readonly Manifest[]): EdgeSet {
  const edges: Edge[] = [];
  const redundantEdges: RedundantEdge[] = [];
  const overlaps: Overlap[] = [];
  // One image of one manifest never repeats a destination tag or digest (the parser makes
  // them unique), so only repositories that two places write need a look at each edge.
  const writers = new Map<string, number>();
  forEachPlace(manifests, (repository) => {
    writers.set(repository, (writers.get(repository) ?? 0) + 1);
  });
  // shared destination repository -> tag, or "@digest" for tagless edges -> edge
  const byRepository = new Map<string, Map<string, Edge>>();
  forEachPlace(manifests, (repository, manifest, src, dst, image) => {
    let slots: Map<string, Edge> | undefined;
    if (writers.get(repository)! > 1) {
      slots = byRepository.get(repository);
      if (!slots) byRepository.set(repository, slots = new Map());
    }
    for (const d of image.digests) {
      const { digest, tags } = d;
      if (tags.length === 0) {
        const edge: Edge = {
          manifest,
          src,
          dst,
          image: image.name,
          digest,
          tag: null,
          pos: d.pos,
          field: d.field,
        };
        add(slots, `@${digest}`, edge);
      }
      for (let i = 0; i < tags.length; i++) {
        const tag = tags[i]!;
        const pos = d.tagPos[i] ?? d.pos;
        const field = d.tagFields[i] ?? d.field;
        add(slots, tag, { manifest, src, dst, image: image.name, digest, tag, pos, field });
      }
    }
  });
  return { edges, redundantEdges, overlaps };

  function add(slots: Map<string, Edge> | undefined, key: string, edge: Edge): void {
    const first = slots?.get(key);
    if (!first) {
      slots?.set(key, edge);
      edges.push(edge);
    } else if (first.digest === edge.digest) {
      redundantEdges.push({ kept: first, dropped: edge });
    } else {
      overlaps.push({ target: edgeTarget(edge), a: first, b: edge });
    }
  }
}

/**
 * Calls `f` for every place the manifests write, in manifest, destination, image order: the
 * destination repository (`registry/image`), with the manifest, its source and destination
 * registries, and the image. Manifests without a source registry write nothing.
 */
function forEachPlace(
  manifests: readonly Manifest[],
  f: (
    repository: string,
    manifest: Manifest,
    src: RegistrySpec,
    dst: RegistrySpec,
    image: ImageSpec,
  ) => void,
): void {
  for (const manifest of manifests) {
    const src = manifest.registries.find((r) => r.src);
    if (!src) continue;
    for (const dst of manifest.registries) {
      if (dst === src) continue;
      for (const image of manifest.images) {
        f(`${dst.name}/${image.name}`, manifest, src, dst, image);
      }
    }
  }
}

/** The destination an edge writes: `registry/image:tag`, or `registry/image@digest` if tagless. */
export function edgeTarget(edge: Edge): string {
  const repository = `${edge.dst.name}/${edge.image}`;
  return edge.tag === null ? `${repository}@${edge.digest}` : `${repository}:${edge.tag}`;
}

/** One ManifestError per overlap, at the later edge, naming the place of the earlier one. */
export function overlapErrors(overlaps: readonly Overlap[]): ManifestError[] {
  return overlaps.map(({ target, a, b }) =>
    new ManifestError(
      b.pos,
      b.field,
      `overlapping edges detected: ${target} is wanted with ${b.digest} here and with ` +
        `${a.digest} by ${a.pos.file}:${a.pos.line}:${a.pos.col} (${a.field}); ` +
        "a destination tag can point at one digest only",
    )
  );
}
