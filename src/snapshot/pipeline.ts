/**
 * Taking a snapshot, end to end: of a registry (open -> walk -> rows -> filters), or of what
 * manifests promote into one (edges -> rows -> filters, reading the registry only for
 * `minimal`). Registries are reached through an injected `SnapshotAccess`; the command line
 * formats the result.
 */
import type { Logger } from "../log.ts";
import type { Edge } from "../manifest/mod.ts";
import {
  type Backend,
  type Inventory,
  joinRepository,
  type OpenedRegistry,
} from "../registry/mod.ts";
import { keepTagged, minimal, withoutAttachments } from "./filters.ts";
import {
  type Snapshot,
  snapshotFromEdges,
  snapshotFromInventory,
  type SnapshotRows,
} from "./rows.ts";

/** Progress of a registry walk: repositories read so far out of those found so far. */
export type WalkProgress = (read: number, found: number) => void;

/** How a snapshot reaches registries (the run's real registries, or fakes in tests). */
export interface SnapshotAccess {
  /** Opens a registry name with the credentials of a service account, or the default ones. */
  open(name: string, serviceAccount?: string): Promise<OpenedRegistry>;
  /** Reads every repository equal to or below `prefix`. */
  walk(backend: Backend, prefix: string, onProgress: WalkProgress): Promise<Inventory>;
  /** Reads the named repositories (a missing one is empty). */
  read(backend: Backend, repos: string[]): Promise<Inventory>;
}

/** What to keep of a snapshot, and whose credentials read the registry. */
export interface SnapshotOptions {
  /** Keep only the digests carrying this tag (`--snapshot-tag`). */
  tag?: string;
  /** Leave out untagged children of manifest lists (`--minimal-snapshot`). */
  minimal: boolean;
  /** Leave out signatures, attestations, SBOMs and their tags (`--snapshot-without-attachments`). */
  withoutAttachments?: boolean;
  /** The Google service account to read the registry as. */
  serviceAccount?: string;
}

/** A snapshot that could not be taken: the registry failed while it was being read. */
export class SnapshotError extends Error {
  /** `message` says which registry could not be read; `cause` says why. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SnapshotError";
  }
}

/** Walks a registry (or everything below its path) and returns its sorted snapshot. */
export async function snapshotOfRegistry(
  registry: string,
  access: SnapshotAccess,
  opts: SnapshotOptions,
  log: Logger,
): Promise<Snapshot> {
  const { backend, prefix } = await access.open(registry, opts.serviceAccount);
  const progress = (read: number, found: number) =>
    log.progress(`snapshot of ${registry}: ${read}/${found} repositories read`);
  let inventory: Inventory;
  try {
    inventory = await access.walk(backend, prefix, progress);
  } catch (e) {
    throw new SnapshotError(`Cannot take a snapshot of ${registry}`, { cause: e });
  }
  const rows = snapshotFromInventory(inventory, prefix);
  const digests = rows.images.reduce((n, i) => n + i.digests.length, 0);
  log.progress(
    `snapshot of ${registry}: ${inventory.size} repositories read, ` +
      `${rows.images.length} images, ${digests} digests`,
    true,
  );
  warnUnnamed(log, rows, registry);
  return keep(opts.minimal ? minimal(rows.images) : rows.images, opts);
}

/**
 * What the edges promote into `registry`, reading it only for `minimal` (to learn the children
 * of manifest lists); the manifests' own service account for it is used when one is named.
 */
export async function snapshotOfEdges(
  edges: readonly Edge[],
  registry: string,
  access: SnapshotAccess,
  opts: SnapshotOptions,
  log: Logger,
): Promise<Snapshot> {
  const rows = snapshotFromEdges(edges, registry);
  warnUnnamed(log, rows, registry);
  if (rows.images.length === 0) log.warn(`the manifests promote nothing into ${registry}`);
  if (!opts.minimal) return keep(rows.images, opts);
  const sa = opts.serviceAccount ?? serviceAccountOf(edges, registry);
  const { backend, prefix } = await access.open(registry, sa);
  const repos = rows.images.map((i) => joinRepository(prefix, i.name));
  let inventory: Inventory;
  try {
    inventory = await access.read(backend, repos);
  } catch (e) {
    throw new SnapshotError(
      `Cannot read ${registry} to find the children of manifest lists`,
      { cause: e },
    );
  }
  const children = new Map<string, Set<string>>();
  for (const image of rows.images) {
    const kids = new Set<string>();
    for (const record of inventory.get(joinRepository(prefix, image.name))?.values() ?? []) {
      for (const c of record.children ?? []) kids.add(c);
    }
    children.set(image.name, kids);
  }
  return keep(minimal(rows.images, children), opts);
}

/** Applies `--snapshot-without-attachments`, then `--snapshot-tag`: the last filters of both. */
function keep(images: Snapshot, opts: SnapshotOptions): Snapshot {
  const shown = opts.withoutAttachments === true ? withoutAttachments(images) : images;
  return opts.tag === undefined ? shown : keepTagged(shown, opts.tag);
}

/** The service account the manifests name for the destination registry, if exactly one. */
function serviceAccountOf(edges: readonly Edge[], registry: string): string | undefined {
  const accounts = new Set<string>();
  for (const e of edges) {
    const name = e.dst.name;
    const related = name === registry || name.startsWith(`${registry}/`) ||
      registry.startsWith(`${name}/`);
    if (related && e.dst.serviceAccount !== undefined) accounts.add(e.dst.serviceAccount);
  }
  return accounts.size === 1 ? [...accounts][0] : undefined;
}

/** Warns about repositories left out because they have no name relative to the snapshot. */
function warnUnnamed(log: Logger, rows: SnapshotRows, registry: string): void {
  for (const repo of rows.unnamed) {
    log.warn(
      `${repo} holds images but is the snapshot's path itself, so they have no image name ` +
        `relative to ${registry} and are left out; take the snapshot of the parent path to ` +
        "include them",
    );
  }
}
