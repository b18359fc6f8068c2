/**
 * Fills in what tag listings cannot show: digests without tags. A plain registry lists only
 * tags, so a digest promoted tagless (or a staging image pushed by digest) is invisible to an
 * inventory; for every digest an edge wants that neither side's inventory shows, this asks
 * the destination, then the source, with a HEAD (and a GET for indexes, to learn their
 * children). Read-only: safe in a dry run.
 */
import type { Edge } from "../manifest/types.ts";
import type { Backend } from "../registry/api.ts";
import type { ImageRecord, Inventory, RepoInventory } from "../registry/inventory_types.ts";
import { joinRepository } from "../registry/reference.ts";
import { isIndex, manifestRefs } from "./manifest_refs.ts";
import type { RegistryLocation } from "./plan.ts";

/** Adds to `inventories` (in place) the untagged digests the edges want that exist. */
export async function completeInventories(
  edges: readonly Edge[],
  locations: ReadonlyMap<string, RegistryLocation>,
  backends: ReadonlyMap<string, Backend>,
  inventories: Map<string, Inventory>,
): Promise<void> {
  const asked = new Map<string, Promise<boolean>>();
  const has = (registry: string, image: string, digest: string): Promise<boolean> => {
    const loc = locations.get(registry);
    const backend = backends.get(registry);
    if (!loc || !backend) throw new Error(`complete: no backend for registry ${registry}`);
    const repo = joinRepository(loc.prefix, image);
    const held = repoOf(inventories, loc.backendId, repo);
    if (held.has(digest)) return Promise.resolve(true);
    const k = `${loc.backendId}\0${repo}\0${digest}`;
    let p = asked.get(k);
    if (!p) {
      p = lookUp(backend, repo, digest, held);
      asked.set(k, p);
    }
    return p;
  };
  await Promise.all(edges.map(async (e) => {
    if (await has(e.dst.name, e.image, e.digest)) return;
    await has(e.src.name, e.image, e.digest);
  }));
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
    if (m !== null) {
      record.children = manifestRefs(m.bytes, m.mediaType, `manifest ${repo}@${digest}`)
        .manifests.map((c) => c.digest);
    }
  }
  if (!held.has(digest)) held.set(digest, record);
  return true;
}

function repoOf(inventories: Map<string, Inventory>, backendId: string, repo: string) {
  let inv = inventories.get(backendId);
  if (!inv) inventories.set(backendId, inv = new Map());
  let held = inv.get(repo);
  if (!held) inv.set(repo, held = new Map());
  return held;
}
