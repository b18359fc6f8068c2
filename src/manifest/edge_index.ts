/** The edges of one revision indexed by destination, image, digest and tag (pure). */
import type { Edge } from "./types.ts";

/** What one destination repository gets: its digests' edges and its tags. */
interface RepoEntry {
  digests: Map<string, Edge[]>;
  tags: Map<string, Edge>;
}

const memo = new WeakMap<readonly Edge[], EdgeIndex>();

/**
 * Looks edges up by what they promote: destination registry, image, digest, tag. Nested maps,
 * so that half a million edges need no key strings; built once per edge list (`EdgeIndex.of`).
 */
export class EdgeIndex {
  #repos = new Map<string, Map<string, RepoEntry>>();

  /** Indexes `edges`; the first edge of a destination tag wins. */
  constructor(edges: readonly Edge[]) {
    for (const e of edges) {
      let images = this.#repos.get(e.dst.name);
      if (!images) this.#repos.set(e.dst.name, images = new Map());
      let repo = images.get(e.image);
      if (!repo) images.set(e.image, repo = { digests: new Map(), tags: new Map() });
      const group = repo.digests.get(e.digest);
      if (group) group.push(e);
      else repo.digests.set(e.digest, [e]);
      if (e.tag !== null && !repo.tags.has(e.tag)) repo.tags.set(e.tag, e);
    }
  }

  /** The index of an edge list, built on first use and remembered for the list. */
  static of(edges: readonly Edge[]): EdgeIndex {
    let index = memo.get(edges);
    if (!index) memo.set(edges, index = new EdgeIndex(edges));
    return index;
  }

  /** The edges promoting `e`'s digest to `e`'s destination image here, or undefined. */
  digestEdges(e: Edge): Edge[] | undefined {
    return this.#repos.get(e.dst.name)?.get(e.image)?.digests.get(e.digest);
  }

  /** Whether an edge here promotes the same digest with the same tag (or none) as `e`. */
  has(e: Edge): boolean {
    return this.digestEdges(e)?.some((x) => x.tag === e.tag) ?? false;
  }

  /** The edge here that sets `e`'s destination tag, or undefined (also for tagless `e`). */
  tagged(e: Edge): Edge | undefined {
    return e.tag === null ? undefined : this.#repos.get(e.dst.name)?.get(e.image)?.tags.get(e.tag);
  }

  /** Every destination digest with its edges. */
  *digests(): Iterable<Edge[]> {
    for (const images of this.#repos.values()) {
      for (const repo of images.values()) yield* repo.digests.values();
    }
  }
}
