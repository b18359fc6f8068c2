/** What a change to the manifests adds or changes, compared with its git base (pure). */
import type { Edge } from "./types.ts";
import { EdgeIndex } from "./edge_index.ts";

/**
 * The head edges of every destination digest the change added or changed: a digest new at a
 * destination, or one whose tags there changed (a tag added or moved onto it). All edges of
 * such a digest are kept, so a plan sees the digest whole; nothing else is kept. Edges the
 * change removed are not among them (promotion never deletes). Keeps the head's order.
 */
export function changedEdges(headEdges: readonly Edge[], baseEdges: readonly Edge[]): Edge[] {
  const before = EdgeIndex.of(baseEdges);
  const head = EdgeIndex.of(headEdges);
  const touched = new Set<Edge[]>();
  for (const group of head.digests()) {
    if (group.some((e) => !before.has(e))) touched.add(group);
  }
  if (touched.size === 0) return [];
  return headEdges.filter((e) => touched.has(head.digestEdges(e)!));
}
