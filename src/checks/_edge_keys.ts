/** Small helpers of the checks: naming registries, distinct source digests (pure). */
import type { Edge } from "../manifest/mod.ts";

/** Names a list of destination registries briefly: one, two, or "N registries (a, b, ...)". */
export function describeRegistries(names: readonly string[]): string {
  const unique = [...new Set(names)].sort();
  if (unique.length <= 2) return unique.join(" and ");
  return `${unique.length} registries (${unique.slice(0, 2).join(", ")}, ...)`;
}

/** One edge for each source image digest the edges promote (`src/image@digest`), in order. */
export function sourceDigests(edges: readonly Edge[]): Edge[] {
  const seen = new Map<string, Edge>();
  for (const e of edges) {
    const key = `${e.src.name}/${e.image}@${e.digest}`;
    if (!seen.has(key)) seen.set(key, e);
  }
  return [...seen.values()];
}
