/**
 * Step 2 of a promotion: what the registries hold of what the edges name. The destination
 * repositories the edges name are listed (their tags: what is already there, what would move);
 * sources are not listed, since staging repositories can hold thousands of tags: the digests the
 * edges want are looked up one by one instead (complete.ts), as are the wanted tags a listing
 * left out.
 */
import type { Edge } from "../manifest/mod.ts";
import { type Backend, ContentReader, type Inventory, joinRepository } from "../registry/mod.ts";
import { PromoteSetupError, type RegistryAccess } from "./access.ts";
import { completeInventories, type LookupFailure } from "./complete.ts";
import type { PromotionRegistries } from "./open.ts";

/** What the registries hold, as far as the plan needs to know. */
export interface Holdings {
  /** Backend id -> the repositories read from it. */
  inventories: Map<string, Inventory>;
  /** The lookups that failed; the plan decides what they mean. */
  lookups: LookupFailure[];
}

/**
 * Lists the destination repositories the edges name, then looks up what the listings cannot
 * show. Throws PromoteSetupError when a listing fails (a lookup failure is returned instead).
 */
export async function takeInventory(
  edges: readonly Edge[],
  registries: PromotionRegistries,
  access: RegistryAccess,
  reader: ContentReader = new ContentReader(),
): Promise<Holdings> {
  const inventories = new Map<string, Inventory>();
  await Promise.all([...destinationRepos(edges, registries)].map(async ([backend, repos]) => {
    let read: Inventory;
    try {
      read = await access.readRepositories(backend, repos);
    } catch (e) {
      throw new PromoteSetupError(`Cannot read repositories of ${backend.display}`, { cause: e });
    }
    const into = inventories.get(backend.id) ?? new Map();
    for (const [repo, held] of read) into.set(repo, held);
    inventories.set(backend.id, into);
  }));
  const { locations, backends } = registries;
  const lookups = await completeInventories(edges, locations, backends, inventories, reader);
  return { inventories, lookups };
}

/** The destination repositories the edges name, per backend, sorted. */
function destinationRepos(
  edges: readonly Edge[],
  registries: PromotionRegistries,
): Map<Backend, string[]> {
  const wanted = new Map<Backend, Set<string>>();
  for (const e of edges) {
    const backend = registries.backends.get(e.dst.name)!;
    const loc = registries.locations.get(e.dst.name)!;
    let repos = wanted.get(backend);
    if (!repos) wanted.set(backend, repos = new Set());
    repos.add(joinRepository(loc.prefix, e.image));
  }
  return new Map([...wanted].map(([backend, repos]) => [backend, [...repos].sort()]));
}
