/** The rows of a snapshot: images by name, each with its digests and their tags (pure). */
import type { Edge } from "../manifest/mod.ts";
import { type Inventory, joinRepository } from "../registry/mod.ts";
import { compareText } from "../compare_text.ts";

/** One digest of an image in a snapshot, with its tags and what is known about it. */
export interface SnapshotDigest {
  digest: string;
  /** Tags pointing at the digest, sorted; empty for a tagless digest. */
  tags: string[];
  mediaType?: string;
  /** Size in bytes as the registry reported it, where known. */
  size?: number;
  /** For manifest lists and OCI indexes: the digests of their children. */
  children?: string[];
}

/** One image of a snapshot: its name relative to the snapshot's registry, digests sorted. */
export interface SnapshotImage {
  name: string;
  digests: SnapshotDigest[];
}

/** A whole snapshot: images sorted by name. */
export type Snapshot = SnapshotImage[];

/** A snapshot and the repositories that could not be given an image name. */
export interface SnapshotRows {
  images: Snapshot;
  /**
   * Repositories holding images that have no name relative to the snapshot's path (the
   * repository the path itself names); they are not in `images`.
   */
  unnamed: string[];
}

/**
 * The name of `repo` relative to `prefix` ("" means the whole registry), or null when the
 * repository is not below the prefix or is the prefix itself.
 */
function relativeName(repo: string, prefix: string): string | null {
  if (prefix === "") return repo === "" ? null : repo;
  if (!repo.startsWith(`${prefix}/`)) return null;
  return repo.slice(prefix.length + 1);
}

/**
 * The snapshot of an inventory read below `prefix`: every repository with at least one
 * manifest becomes an image named relative to the prefix. Children of manifest lists that the
 * inventory lists only inside their parent are added as tagless digests, so a registry that
 * lists every manifest (the GCR extension) and one that lists only tags give the same rows.
 */
export function snapshotFromInventory(inventory: Inventory, prefix: string): SnapshotRows {
  const images: SnapshotImage[] = [];
  const unnamed: string[] = [];
  for (const [repo, records] of inventory) {
    if (records.size === 0) continue;
    const name = relativeName(repo, prefix);
    if (name === null) {
      unnamed.push(repo);
      continue;
    }
    const digests = new Map<string, SnapshotDigest>();
    for (const record of records.values()) {
      const d: SnapshotDigest = { digest: record.digest, tags: [...record.tags] };
      if (record.mediaType !== undefined) d.mediaType = record.mediaType;
      if (record.size !== undefined) d.size = record.size;
      if (record.children !== undefined) d.children = [...record.children];
      digests.set(record.digest, d);
    }
    for (const record of records.values()) {
      for (const child of record.children ?? []) {
        if (!digests.has(child)) digests.set(child, { digest: child, tags: [] });
      }
    }
    images.push({ name, digests: [...digests.values()] });
  }
  return { images: sortSnapshot(images), unnamed: unnamed.sort(compareText) };
}

/**
 * The snapshot of what edges promote into `registry` (a registry name with an optional path):
 * every edge whose destination `registry/image` lies below it, named relative to it.
 * Destinations equal to `registry` itself are reported in `unnamed`.
 */
export function snapshotFromEdges(edges: readonly Edge[], registry: string): SnapshotRows {
  const byName = new Map<string, Map<string, Set<string>>>();
  const unnamed = new Set<string>();
  // Whether a destination registry can hold repositories below `registry`, decided once per
  // destination rather than once per edge.
  const related = new Map<string, boolean>();
  const isRelated = (dst: string) =>
    dst === registry || dst.startsWith(`${registry}/`) || registry.startsWith(`${dst}/`) ||
    registry === "";
  for (const edge of edges) {
    let near = related.get(edge.dst.name);
    if (near === undefined) related.set(edge.dst.name, near = isRelated(edge.dst.name));
    if (!near) continue;
    const full = joinRepository(edge.dst.name, edge.image);
    if (full === registry) {
      unnamed.add(full);
      continue;
    }
    const name = relativeName(full, registry);
    if (name === null) continue;
    let digests = byName.get(name);
    if (!digests) byName.set(name, digests = new Map());
    let tags = digests.get(edge.digest);
    if (!tags) digests.set(edge.digest, tags = new Set());
    if (edge.tag !== null) tags.add(edge.tag);
  }
  const images: SnapshotImage[] = [];
  for (const [name, digests] of byName) {
    images.push({
      name,
      digests: [...digests].map(([digest, tags]) => ({ digest, tags: [...tags] })),
    });
  }
  return { images: sortSnapshot(images), unnamed: [...unnamed].sort(compareText) };
}

/** Sorts images by name, digests by digest and tags by tag, in place; returns the snapshot. */
function sortSnapshot(images: Snapshot): Snapshot {
  for (const image of images) {
    for (const d of image.digests) d.tags.sort(compareText);
    image.digests.sort((a, b) => compareText(a.digest, b.digest));
  }
  return images.sort((a, b) => compareText(a.name, b.name));
}
