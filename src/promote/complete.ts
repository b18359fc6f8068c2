/**
 * Fills in what tag listings cannot show: digests without tags. A plain registry lists only
 * tags, so a digest promoted tagless (or a staging image pushed by digest) is invisible to an
 * inventory; for every digest an edge wants that neither side's inventory shows, this asks
 * the destination (HEAD, and a GET for indexes to learn their children), then the source
 * (GET). Read-only: safe in a dry run.
 */
import type { Edge } from "../manifest/mod.ts";
import {
  type Backend,
  type ImageRecord,
  type Inventory,
  joinRepository,
  type ManifestBytes,
  type RepoInventory,
} from "../registry/mod.ts";
import { isIndex, manifestRefs } from "./manifest_refs.ts";
import type { RegistryLocation } from "./plan.ts";

/** Manifests already read, by `manifestKey`: the copier uses them instead of reading again. */
export type ManifestCache = Map<string, ManifestBytes>;

/** The key of a manifest in a ManifestCache. */
export function manifestKey(backend: Backend, repo: string, digest: string): string {
  return `${backend.id}\0${repo}\0${digest}`;
}

/** A digest that could not be looked up (the registry failed): it is planned as a copy. */
export interface LookupFailure {
  registry: string;
  image: string;
  digest: string;
  error: unknown;
}

/**
 * Adds to `inventories` (in place) the untagged digests the edges want that exist. The
 * destination is asked with a HEAD (usually absent); the source with a GET, since a digest
 * found there is about to be copied: its bytes go into `cache` when one is given. A lookup
 * that fails counts as "absent" at the destination and "present" at the source, so the image
 * is planned as a copy (which then fails on its own, not the whole run); the failures are
 * returned.
 */
export async function completeInventories(
  edges: readonly Edge[],
  locations: ReadonlyMap<string, RegistryLocation>,
  backends: ReadonlyMap<string, Backend>,
  inventories: Map<string, Inventory>,
  cache?: ManifestCache,
): Promise<LookupFailure[]> {
  const failures: LookupFailure[] = [];
  const asked = new Map<string, Promise<boolean>>();
  const has = (registry: string, image: string, digest: string, read: boolean) => {
    const loc = locations.get(registry);
    const backend = backends.get(registry);
    if (!loc || !backend) throw new Error(`complete: no backend for registry ${registry}`);
    const repo = joinRepository(loc.prefix, image);
    const held = repoOf(inventories, loc.backendId, repo);
    if (held.has(digest)) return Promise.resolve(true);
    const k = manifestKey(backend, repo, digest);
    let p = asked.get(k);
    if (!p) {
      p = (read ? readOne(backend, repo, digest, held, cache) : lookUp(backend, repo, digest, held))
        .catch((error) => {
          failures.push({ registry, image, digest, error });
          if (read && !held.has(digest)) held.set(digest, { digest, tags: [] });
          return read;
        });
      asked.set(k, p);
    }
    return p;
  };
  await Promise.all(edges.map(async (e) => {
    if (await has(e.dst.name, e.image, e.digest, false)) return;
    await has(e.src.name, e.image, e.digest, true);
  }));
  return failures;
}

/** HEADs one digest; records it (with children for indexes) when present. */
async function lookUp(
  backend: Backend,
  repo: string,
  digest: string,
  held: RepoInventory,
): Promise<boolean> {
  const desc = await backend.headManifest(repo, digest);
  if (desc === null) return false;
  const record: ImageRecord = { digest, tags: [], mediaType: desc.mediaType, size: desc.size };
  if (isIndex(desc.mediaType)) {
    const m = await backend.getManifest(repo, digest);
    if (m !== null) record.children = childrenOf(m, digest);
  }
  if (!held.has(digest)) held.set(digest, record);
  return true;
}

/** GETs one digest; records it and keeps its bytes when present. */
async function readOne(
  backend: Backend,
  repo: string,
  digest: string,
  held: RepoInventory,
  cache: ManifestCache | undefined,
): Promise<boolean> {
  const m = await backend.getManifest(repo, digest);
  if (m === null) return false;
  const record: ImageRecord = {
    digest,
    tags: [],
    mediaType: m.mediaType,
    size: m.bytes.length,
  };
  if (isIndex(m.mediaType)) record.children = childrenOf(m, digest);
  cache?.set(manifestKey(backend, repo, digest), m);
  if (!held.has(digest)) held.set(digest, record);
  return true;
}

function childrenOf(m: ManifestBytes, digest: string): string[] {
  return manifestRefs({ ...m, digest }).manifests
    .map((c) => c.digest);
}

function repoOf(inventories: Map<string, Inventory>, backendId: string, repo: string) {
  let inv = inventories.get(backendId);
  if (!inv) inventories.set(backendId, inv = new Map());
  let held = inv.get(repo);
  if (!held) inv.set(repo, held = new Map());
  return held;
}
