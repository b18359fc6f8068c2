/**
 * The manifests a layout holds: its `index.json` entries, and the child manifests reachable
 * from entries that are indexes (tools such as skopeo record only the top-level index). A
 * manifest blob reachable from nothing (left by an interrupted write) is not part of it.
 */
import { RegistryError } from "../errors.ts";
import { readVerified } from "./blob.ts";
import type { LayoutState } from "./layout.ts";
import { blobPath } from "./layout.ts";
import { childDescriptors, isIndexType } from "./manifest.ts";

/** One manifest of a layout. */
export interface Member {
  mediaType: string;
  size: number;
  /** Tags naming it, sorted (none for children reached through an index). */
  tags: string[];
  /** Whether `index.json` has an entry for it (else it was reached through an index). */
  indexed: boolean;
}

/** Looks at a blob file: its facts, or null when absent (refusing links out of the root). */
export type BlobInfo = (path: string) => Promise<Deno.FileInfo | null>;

/** Children of index blobs by blob path; blobs never change, so this never goes stale. */
export type ChildCache = Map<string, ReturnType<typeof childDescriptors>>;

/**
 * Every manifest of a layout, by digest. Children are included when their blob is present
 * (an index copied without its children lists children that are absent).
 */
export async function manifestSet(
  state: LayoutState,
  cache: ChildCache,
  blobInfo: BlobInfo,
): Promise<Map<string, Member>> {
  const set = new Map<string, Member>();
  for (const e of state.index.entries) {
    const m = set.get(e.digest) ??
      { mediaType: e.mediaType, size: e.size, tags: [], indexed: true };
    if (e.tag !== null) m.tags.push(e.tag);
    set.set(e.digest, m);
  }
  for (const m of set.values()) m.tags.sort();
  const queue = [...set].filter(([, m]) => isIndexType(m.mediaType)).map(([d]) => d);
  for (let digest = queue.shift(); digest !== undefined; digest = queue.shift()) {
    for (const child of await childrenOf(state.dir, digest, cache, blobInfo)) {
      if (set.has(child.digest)) continue;
      const info = await blobInfo(blobPath(state.dir, child.digest));
      if (info === null) continue;
      set.set(child.digest, {
        mediaType: child.mediaType,
        size: child.size,
        tags: [],
        indexed: false,
      });
      if (isIndexType(child.mediaType)) queue.push(child.digest);
    }
  }
  return set;
}

/** The child descriptors of an index blob of the layout. */
async function childrenOf(dir: string, digest: string, cache: ChildCache, blobInfo: BlobInfo) {
  const path = blobPath(dir, digest);
  const known = cache.get(path);
  if (known !== undefined) return known;
  if ((await blobInfo(path)) === null) {
    throw new RegistryError(
      `${dir}/index.json names ${digest}, but its blob file ${path} is missing`,
    );
  }
  const children = childDescriptors(await readVerified(path, digest));
  cache.set(path, children);
  return children;
}
