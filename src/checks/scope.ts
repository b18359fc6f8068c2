/** Scoped promotion: only what a change adds or changes, compared with its git base (pure). */
import type { Edge } from "../manifest/mod.ts";
import { digestKey, edgeKey } from "./edge_keys.ts";

/**
 * The head edges of every destination digest the change added or changed: a digest new at a
 * destination, or one whose tags there changed (a tag added or moved onto it). All edges of
 * such a digest are kept, so the plan sees the digest whole; nothing else is kept. Edges the
 * change removed are not promoted (promotion never deletes).
 */
export function scopeEdges(headEdges: readonly Edge[], baseEdges: readonly Edge[]): Edge[] {
  const before = new Set(baseEdges.map(edgeKey));
  const touched = new Set<string>();
  for (const e of headEdges) {
    if (!before.has(edgeKey(e))) touched.add(digestKey(e));
  }
  return headEdges.filter((e) => touched.has(digestKey(e)));
}
