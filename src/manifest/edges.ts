/** The promotion edges of a set of manifests, with redundant edges merged and overlaps found (pure). */
import { ManifestError } from "./errors.ts";
import type { Edge, Manifest } from "./types.ts";

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
  // destination repository (`registry/image`) -> tag, or "@digest" for tagless edges -> edge
  const byRepository = new Map<string, Map<string, Edge>>();
  for (const manifest of manifests) {
    const src = manifest.registries.find((r) => r.src);
    if (!src) continue;
    for (const dst of manifest.registries) {
      if (dst === src) continue;
      for (const image of manifest.images) {
        const repository = `${dst.name}/${image.name}`;
        let slots = byRepository.get(repository);
        if (!slots) byRepository.set(repository, slots = new Map());
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
            };
            add(slots, `@${digest}`, edge);
          }
          for (let i = 0; i < tags.length; i++) {
            const tag = tags[i]!;
            const pos = d.tagPos[i] ?? d.pos;
            const edge: Edge = { manifest, src, dst, image: image.name, digest, tag, pos };
            add(slots, tag, edge);
          }
        }
      }
    }
  }
  return { edges, redundantEdges, overlaps };

  function add(slots: Map<string, Edge>, key: string, edge: Edge): void {
    const first = slots.get(key);
    if (!first) {
      slots.set(key, edge);
      edges.push(edge);
    } else if (first.digest === edge.digest) {
      redundantEdges.push({ kept: first, dropped: edge });
    } else {
      overlaps.push({ target: edgeTarget(edge), a: first, b: edge });
    }
  }
}

/** The destination an edge writes: `registry/image:tag`, or `registry/image@digest` if tagless. */
export function edgeTarget(edge: Edge): string {
  const repository = `${edge.dst.name}/${edge.image}`;
  return edge.tag === null ? `${repository}@${edge.digest}` : `${repository}:${edge.tag}`;
}

/** The field path of the place an edge comes from, e.g. `images[2].dmap."sha256:…"[1]`. */
export function edgeField(edge: Edge): string {
  const i = edge.manifest.images.findIndex((img) => img.name === edge.image);
  const image = edge.manifest.images[i];
  const digest = image?.digests.find((d) => d.digest === edge.digest);
  const dmapKey = `images[${i}].dmap.${JSON.stringify(edge.digest)}`;
  if (edge.tag === null || !digest) return dmapKey;
  return `${dmapKey}[${digest.tags.indexOf(edge.tag)}]`;
}

/** One ManifestError per overlap, at the later edge, naming the place of the earlier one. */
export function overlapErrors(overlaps: readonly Overlap[]): ManifestError[] {
  return overlaps.map(({ target, a, b }) =>
    new ManifestError(
      b.pos,
      edgeField(b),
      `overlapping edges detected: ${target} is wanted with ${b.digest} here and with ` +
        `${a.digest} by ${a.pos.file}:${a.pos.line}:${a.pos.col} (${edgeField(a)}); ` +
        "a destination tag can point at one digest only",
    )
  );
}
