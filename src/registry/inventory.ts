/** Reading inventories: the named repositories, or a whole registry or path prefix. */
import type { Backend, TagListing } from "./api.ts";
import type { ImageRecord, Inventory, RepoInventory } from "./inventory_types.ts";
import { RegistryError } from "./errors.ts";
import { LISTING_LIMITS } from "./http/link.ts";
import { isIndexMediaType } from "../oci/mod.ts";
import { modelOf } from "./manifest_read.ts";
import { joinRepository } from "./reference.ts";
import { compareText } from "../compare_text.ts";

/** The tags of every untagged record: one frozen array, never changed (records get new ones). */
const NO_TAGS: string[] = Object.freeze([]) as unknown as string[];

/** Progress of a registry walk or a multi-repository read. */
export interface InventoryProgress {
  /** Repositories to read (known so far). */
  repositories: number;
  /** Repositories read. */
  done: number;
}

/** Called after each repository is read. */
export type OnProgress = (p: InventoryProgress) => void;

/** How much of a repository to read besides its listing. */
export interface ReadOptions {
  /**
   * Where the listing names every manifest (the GCR/AR extension), do not read indexes for
   * their children: a promotion only needs to know which digests are there. Snapshots, which
   * show the children, read them.
   */
  childrenOnlyIfUnlisted?: boolean;
}

/**
 * Reads one repository: one tags listing, then one HEAD per tag (none when the listing
 * carries the GCR/AR extension), then one GET per manifest list / index for its children
 * (none with `childrenOnlyIfUnlisted` when the listing names every manifest).
 * Children found only through a list are recorded without tags. A listed tag that cannot be
 * read (404) is an error, never taken to be absent: the tag exists, only its digest is unknown.
 */
async function readRepository(
  backend: Backend,
  repo: string,
  known?: TagListing,
  opts: ReadOptions = {},
): Promise<RepoInventory> {
  const listing = known ?? await backend.listTags(repo);
  const records: RepoInventory = new Map();
  if (listing.absent) records.listed = "absent";
  else if (listing.complete) records.listed = "complete";
  // Records are made whole at once (one shape, no property added later): a run may keep a
  // million of them.
  const record = (digest: string): ImageRecord => {
    let r = records.get(digest);
    if (r === undefined) {
      r = { digest, tags: NO_TAGS, mediaType: undefined, size: undefined };
      records.set(digest, r);
    }
    return r;
  };
  let untracked = listing.tags;
  if (listing.manifests !== undefined) {
    const listed = new Set<string>();
    for (const [digest, m] of listing.manifests) {
      records.set(digest, {
        digest,
        tags: m.tags.length === 0 ? NO_TAGS : m.tags,
        mediaType: m.mediaType,
        size: m.size,
      });
      m.tags.forEach((t) => listed.add(t));
    }
    untracked = listing.tags.filter((t) => !listed.has(t));
  }
  const heads = await Promise.all(
    untracked.map(async (tag) => ({ tag, d: await backend.headManifest(repo, tag) })),
  );
  for (const { tag, d } of heads) {
    if (d === null) {
      throw new RegistryError(
        `Cannot read ${backend.display}/${repo}:${tag}: the registry lists the tag but answers ` +
          "404 to reading it; cip does not take a listed tag to be absent (an eventually " +
          "consistent registry: try again later)",
        { status: 404 },
      );
    }
    const r = record(d.digest);
    r.tags = [...r.tags, tag];
    r.mediaType = d.mediaType;
    r.size = d.size;
  }
  if (!(opts.childrenOnlyIfUnlisted && listing.complete)) {
    await readChildren(backend, repo, records);
  }
  for (const r of records.values()) {
    if (r.tags.length > 1) r.tags = [...new Set(r.tags)].sort();
  }
  return records;
}

/** Reads each list / index once (nested ones too) and records its children. */
async function readChildren(backend: Backend, repo: string, records: RepoInventory) {
  const done = new Set<string>();
  let pending = [...records.values()].filter((r) => isIndexMediaType(r.mediaType));
  while (pending.length > 0) {
    pending.forEach((r) => done.add(r.digest));
    const found = await Promise.all(pending.map(async (r) => {
      const m = await backend.getManifest(repo, r.digest);
      if (m === null) return [];
      const children = modelOf(m).children;
      r.children = children.map((c) => c.digest);
      return children;
    }));
    const next: ImageRecord[] = [];
    for (const c of found.flat()) {
      let r = records.get(c.digest);
      if (r === undefined) {
        r = { digest: c.digest, tags: NO_TAGS, mediaType: c.mediaType, size: c.size };
        records.set(c.digest, r);
      }
      if (isIndexMediaType(r.mediaType) && !done.has(r.digest)) next.push(r);
    }
    pending = [...new Set(next)];
  }
}

/**
 * Reads the named repositories concurrently (the transport limits requests per host); a
 * repository that does not exist is empty.
 */
export function readRepositories(
  backend: Backend,
  repos: string[],
  onProgress?: OnProgress,
  opts: ReadOptions = {},
): Promise<Inventory> {
  return readWithListings(backend, repos, new Map(), onProgress, opts);
}

/** readRepositories, reusing tag listings already fetched. */
async function readWithListings(
  backend: Backend,
  repos: string[],
  known: Map<string, TagListing>,
  onProgress?: OnProgress,
  opts: ReadOptions = {},
): Promise<Inventory> {
  const names = [...new Set(repos)].sort();
  let done = 0;
  const notFound = new Set<RepoInventory>();
  const read = await Promise.all(names.map(async (repo) => {
    const listing = known.get(repo) ?? await backend.listTags(repo);
    const inv = await readRepository(backend, repo, listing, opts);
    if (listing.notFound) notFound.add(inv);
    onProgress?.({ repositories: names.length, done: ++done });
    return [repo, inv] as const;
  }));
  // A registry whose listings name every manifest answers 404 only for a repository with none.
  if ([...read].some(([, inv]) => inv.listed === "complete")) {
    for (const inv of notFound) inv.listed = "absent";
  }
  return new Map(read);
}

/**
 * Reads every repository equal to or below `prefix` ("" = the whole registry). Where the
 * prefix's tag listing carries the extension's `child`, the walk follows children and reuses
 * each listing (one request per repository); elsewhere it asks backend.listRepositories. A walk
 * that finds more than `maxRepositories` repositories below the prefix fails before listing
 * them (a registry naming children without end).
 */
export async function walkRegistry(
  backend: Backend,
  prefix: string,
  onProgress?: OnProgress,
  maxRepositories = LISTING_LIMITS.repositories,
): Promise<Inventory> {
  const known = new Map<string, TagListing>();
  if (prefix !== "") {
    const top = await backend.listTags(prefix);
    known.set(prefix, top);
    if (top.children !== undefined) {
      const walk: Walk = {
        backend,
        out: new Map(),
        counter: { repositories: 0, done: 0 },
        max: maxRepositories,
        ...(onProgress ? { onProgress } : {}),
      };
      await walkChildren(walk, prefix, top);
      return new Map([...walk.out].sort(([a], [b]) => compareText(a, b)));
    }
  }
  const repos = await backend.listRepositories(prefix);
  return await readWithListings(backend, repos, known, onProgress);
}

/** One walk through the extension's children. */
interface Walk {
  backend: Backend;
  out: Inventory;
  counter: InventoryProgress;
  max: number;
  onProgress?: OnProgress;
}

async function walkChildren(walk: Walk, repo: string, listing: TagListing): Promise<void> {
  const { backend, counter } = walk;
  const children = listing.children ?? [];
  // Counted, and refused, before any of them is listed: the walk never outgrows the cap.
  if (counter.repositories + children.length > walk.max) {
    throw new RegistryError(
      `Cannot walk ${backend.display}: there are more than ${walk.max} repositories below ` +
        "the path (cip reads at most that many)",
    );
  }
  counter.repositories += children.length;
  const hasContent = listing.tags.length > 0 || (listing.manifests?.size ?? 0) > 0;
  await Promise.all([
    hasContent
      ? readRepository(backend, repo, listing).then((inv) => void walk.out.set(repo, inv))
      : undefined,
    ...children.map(async (c) => {
      const child = joinRepository(repo, c);
      const sub = await backend.listTags(child);
      await walkChildren(walk, child, sub);
      counter.done++;
      walk.onProgress?.({ ...counter });
    }),
  ]);
}
