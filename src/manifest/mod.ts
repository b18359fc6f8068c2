/** Promoter manifests: types, strict parsing, loading of plain files and thin directories, edges. */
export * from "./types.ts";
export * from "./errors.ts";
import type { Logger } from "../log.ts";
import type { Edge, Manifest } from "./types.ts";

/** Which manifests to read: a plain file or a thin directory. */
export interface ManifestInput {
  manifest?: string;
  thinDir?: string;
}

/** Reads and validates manifests; throws ManifestErrors listing every problem found. */
export function loadManifests(_input: ManifestInput, _log: Logger): Promise<Manifest[]> {
  throw new Error("scaffold: manifest loading is being written");
}

/** Two edges that want one destination tag with different digests. */
export interface Overlap {
  /** The destination reference both want, `registry/image:tag`. */
  target: string;
  a: Edge;
  b: Edge;
}

/** The edges of a set of manifests, with redundant ones merged and overlaps found. */
export interface EdgeSet {
  edges: Edge[];
  redundant: number;
  overlaps: Overlap[];
}

/** Computes the promotion edges of the manifests (pure). */
export function computeEdges(_manifests: Manifest[]): EdgeSet {
  throw new Error("scaffold: edges are being written");
}
