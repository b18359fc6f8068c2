/**
 * Fills in what tag listings cannot show: digests without tags, and tags a listing left out.
 * A plain registry lists only tags, so a digest promoted tagless (or a staging image pushed by
 * digest) is invisible to an inventory; for every digest an edge wants that neither side's
 * inventory shows, this asks the destination (HEAD, and a GET for indexes to learn their
 * children), then the source (GET). Every tag an edge wants that the destination's listing
 * does not show is read too (HEAD): an eventually consistent registry may list a tag late, and
 * the plan must see a tag that points elsewhere before it plans to write it. Nothing is asked
 * of a destination repository whose listing was complete (the GCR/AR extension names every
 * manifest) or which did not exist: what it did not name is not there (and the copier still
 * reads every tag right before writing it). Read-only: safe in a dry run.
 */
import type { Edge } from "../manifest/mod.ts";
import {
  type Backend,
  ContentReader,
  type ImageRecord,
  type Inventory,
  joinRepository,
  type ManifestBytes,
  type RepoInventory,
} from "../registry/mod.ts";
import { isIndex, manifestRefs } from "./manifest_refs.ts";
import type { RegistryLocation } from "./plan.ts";

/** The key of a manifest or tag asked for, within one completion. */
function manifestKey(backend: Backend, repo: string, ref: string): string {
  return `${backend.id}\0${repo}\0${ref}`;
}

/** A digest or tag that could not be looked up (the registry failed); plan() decides what it means. */
export interface LookupFailure {
  registry: string;
  image: string;
  digest: string;
  /** Where the lookup failed: a destination (HEAD of a digest or tag) or a source (GET). */
  at: "source" | "destination";
  error: unknown;
}

/**
 * Adds to `inventories` (in place) the destination tags the edges want that their listings
 * left out, and the untagged digests the edges want that exist. The destination is asked with
 * a HEAD (usually absent); the source with a GET through the run's `reader`, since a digest
 * found there is about to be copied (the copier then reads it from the reader, not the
 * registry). A lookup that fails adds nothing; the failures are returned, and plan() decides
 * what they mean.
 */
export async function completeInventories(
  edges: readonly Edge[],
  locations: ReadonlyMap<string, RegistryLocation>,
  backends: ReadonlyMap<string, Backend>,
  inventories: Map<string, Inventory>,
  reader: ContentReader = new ContentReader(),
): Promise<LookupFailure[]> {
  const failures: LookupFailure[] = [];
  const asked = new Map<string, Promise<boolean>>();
  /** true when the inventory shows the digest; else whether a lookup finds it. */
  const has = (
    registry: string,
    image: string,
    digest: string,
    read: boolean,
  ): true | Promise<boolean> => {
    const loc = locations.get(registry);
    const backend = backends.get(registry);
    if (!loc || !backend) throw new Error(`complete: no backend for registry ${registry}`);
    const repo = joinRepository(loc.prefix, image);
    const held = repoOf(inventories, loc.backendId, repo);
    if (held.has(digest)) return true;
    if (held.listed !== undefined) return Promise.resolve(false);
    const k = manifestKey(backend, repo, digest);
    let p = asked.get(k);
    if (!p) {
      p = (read
        ? readOne(reader, backend, repo, digest, held)
        : lookUp(reader, backend, repo, digest, held))
        .catch((error) => {
          failures.push({ registry, image, digest, at: read ? "source" : "destination", error });
          return false;
        });
      asked.set(k, p);
    }
    return p;
  };
  // Most edges need no request (their listing answered): they are decided in plain loops,
  // and only the lookups left make promises.
  const tagsAsked = new Set<string>();
  const tagLookups: Promise<void>[] = [];
  for (const e of edges) {
    const loc = locations.get(e.dst.name);
    const backend = backends.get(e.dst.name);
    if (e.tag === null || !loc || !backend) continue;
    const repo = joinRepository(loc.prefix, e.image);
    const held = repoOf(inventories, loc.backendId, repo);
    if (held.listed !== undefined) continue;
    const k = manifestKey(backend, repo, e.tag);
    if (tagsAsked.has(k)) continue;
    tagsAsked.add(k);
    tagLookups.push(
      lookUpTag(backend, repo, e.tag, held).catch((error) => {
        failures.push({
          registry: e.dst.name,
          image: e.image,
          digest: e.digest,
          at: "destination",
          error,
        });
      }),
    );
  }
  await Promise.all(tagLookups);
  const digestLookups: Promise<void>[] = [];
  for (const e of edges) {
    const found = has(e.dst.name, e.image, e.digest, false);
    if (found === true) continue;
    digestLookups.push((async () => {
      if (await found) return;
      await has(e.src.name, e.image, e.digest, true);
    })());
  }
  await Promise.all(digestLookups);
  return failures;
}

/** HEADs a tag the listing did not show; records it on its digest when it exists. */
async function lookUpTag(
  backend: Backend,
  repo: string,
  tag: string,
  held: RepoInventory,
): Promise<void> {
  for (const record of held.values()) if (record.tags.includes(tag)) return;
  if (held.listed !== undefined) return;
  const desc = await backend.headManifest(repo, tag);
  if (desc === null) return;
  const record = held.get(desc.digest) ??
    { digest: desc.digest, tags: [], mediaType: desc.mediaType, size: desc.size };
  record.tags = [...record.tags, tag].sort();
  held.set(desc.digest, record);
}

/** HEADs one digest; records it (with children for indexes) when present. */
async function lookUp(
  reader: ContentReader,
  backend: Backend,
  repo: string,
  digest: string,
  held: RepoInventory,
): Promise<boolean> {
  const desc = await backend.headManifest(repo, digest);
  if (desc === null) return false;
  const record: ImageRecord = { digest, tags: [], mediaType: desc.mediaType, size: desc.size };
  if (isIndex(desc.mediaType)) {
    const m = await reader.manifest(backend, repo, digest);
    if (m !== null) record.children = childrenOf(m, digest);
  }
  if (!held.has(digest)) held.set(digest, record);
  return true;
}

/** GETs one digest (through the reader, which keeps its bytes); records it when present. */
async function readOne(
  reader: ContentReader,
  backend: Backend,
  repo: string,
  digest: string,
  held: RepoInventory,
): Promise<boolean> {
  const m = await reader.manifest(backend, repo, digest);
  if (m === null) return false;
  const record: ImageRecord = {
    digest,
    tags: [],
    mediaType: m.mediaType,
    size: m.bytes.length,
  };
  if (isIndex(m.mediaType)) record.children = childrenOf(m, digest);
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
