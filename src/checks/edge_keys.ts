/** Keys that identify what an edge promotes, for comparing the edges of two revisions (pure). */
import type { Edge } from "../manifest/mod.ts";

/** The destination image and digest an edge promotes: `registry/image@digest`. */
export function digestKey(e: Edge): string {
  return `${e.dst.name}/${e.image}@${e.digest}`;
}

/** The destination tag an edge sets, or null for a tagless edge: `registry/image:tag`. */
export function tagKey(e: Edge): string | null {
  return e.tag === null ? null : `${e.dst.name}/${e.image}:${e.tag}`;
}

/** Everything an edge promotes at its destination: digest and tag (or none). */
export function edgeKey(e: Edge): string {
  return `${digestKey(e)} ${e.tag ?? ""}`;
}

/** The digest each destination tag points at: `registry/image:tag` -> edge. */
export function tagIndex(edges: readonly Edge[]): Map<string, Edge> {
  const index = new Map<string, Edge>();
  for (const e of edges) {
    const key = tagKey(e);
    if (key !== null && !index.has(key)) index.set(key, e);
  }
  return index;
}

/** The destination digests edges promote: `registry/image@digest` -> first edge. */
export function digestIndex(edges: readonly Edge[]): Map<string, Edge> {
  const index = new Map<string, Edge>();
  for (const e of edges) {
    const key = digestKey(e);
    if (!index.has(key)) index.set(key, e);
  }
  return index;
}

/** Groups items by a key, keeping first-seen order of keys and items. */
export function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

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
