/**
 * `cip run --snapshot=REGISTRY[/PATH]` and `--manifest-based-snapshot-of=REGISTRY`: print
 * what a registry holds, or what manifests promote into it, as YAML, CSV or JSON.
 */
import type { Logger } from "../log.ts";
import {
  type Edge,
  edgesOf,
  type LoadedManifests,
  loadManifests,
  type ManifestInput,
  type SkippedPart,
} from "../manifest/mod.ts";
import {
  type Backend,
  type Inventory,
  isTag,
  joinRepository,
  parseRegistryName,
  readRepositories,
  walkRegistry,
} from "../registry/mod.ts";
import {
  formatSnapshot,
  isOutputFormat,
  keepTagged,
  minimal,
  OUTPUT_FORMATS,
  type OutputFormat,
  type Snapshot,
  snapshotFromEdges,
  snapshotFromInventory,
  type SnapshotRows,
} from "../snapshot/mod.ts";
import { manifestInput, type RunContext } from "./context.ts";
import type { Flags } from "./flags.ts";
import { registriesFromFlags } from "./registries.ts";
import { failForSkipped, logSkipped } from "./skipped.ts";
import { UsageError } from "./usage_error.ts";

/** A registry opened for reading: its backend and the repository path prefix inside it. */
export interface OpenedRegistry {
  backend: Backend;
  prefix: string;
}

/** Progress of a registry walk: repositories read so far out of those found so far. */
export type WalkProgress = (read: number, found: number) => void;

/** What the snapshot modes need from the registry and manifest layers (tests pass fakes). */
export interface SnapshotDeps {
  /** Opens a registry name with the credentials of a service account, or the default ones. */
  open(name: string, serviceAccount?: string): Promise<OpenedRegistry>;
  /** Reads every repository equal to or below `prefix`. */
  walk(backend: Backend, prefix: string, onProgress: WalkProgress): Promise<Inventory>;
  /** Reads the named repositories (a missing one is empty). */
  read(backend: Backend, repos: string[]): Promise<Inventory>;
  /** Reads and validates the manifests. */
  loadManifests(input: ManifestInput, log: Logger): Promise<LoadedManifests>;
}

/** The real registry and manifest layers, opened as the flags say. */
export function defaultSnapshotDeps(ctx: RunContext): SnapshotDeps {
  let registries: ReturnType<typeof registriesFromFlags> | undefined;
  return {
    open(name, serviceAccount) {
      registries ??= registriesFromFlags(ctx);
      return Promise.resolve(registries.open(name, serviceAccount));
    },
    walk: (backend, prefix, onProgress) =>
      walkRegistry(backend, prefix, (p) => onProgress(p.done, p.repositories)),
    read: (backend, repos) => readRepositories(backend, repos),
    loadManifests,
  };
}

/** A snapshot that could not be taken: the registry failed while it was being read. */
export class SnapshotError extends Error {
  /** `message` says which registry could not be read; `cause` says why. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SnapshotError";
  }
}

/** The snapshot flags, checked. */
export interface SnapshotOptions {
  format: OutputFormat;
  tag?: string;
  minimal: boolean;
  serviceAccount?: string;
}

/** Flags that only the snapshot modes read. */
const SNAPSHOT_ONLY = [
  "snapshot-tag",
  "minimal-snapshot",
  "output",
  "snapshot-service-account",
] as const;

/** Whether the flags ask for one of the snapshot modes. */
export function wantsSnapshot(flags: Flags): boolean {
  const v = flags.values;
  return v.snapshot !== undefined || v["manifest-based-snapshot-of"] !== undefined;
}

/** Refuses snapshot-only flags given to another mode. */
export function rejectSnapshotFlags(flags: Flags): void {
  for (const name of SNAPSHOT_ONLY) {
    if (flags.values[name] !== undefined) {
      throw new UsageError(
        `--${name} needs --snapshot or --manifest-based-snapshot-of`,
      );
    }
  }
}

/** Checks the snapshot flags and their combinations; throws UsageError. */
export function snapshotOptions(flags: Flags): SnapshotOptions {
  const v = flags.values;
  const live = v.snapshot as string | undefined;
  const based = v["manifest-based-snapshot-of"] as string | undefined;
  const manifests = v.manifest !== undefined || v["thin-manifest-dir"] !== undefined;
  if (live !== undefined && based !== undefined) {
    throw new UsageError("--snapshot and --manifest-based-snapshot-of cannot be used together");
  }
  if (live !== undefined && manifests) {
    throw new UsageError(
      "--snapshot reads a registry, not manifests: leave out --manifest and --thin-manifest-dir " +
        "(or use --manifest-based-snapshot-of)",
    );
  }
  if (based !== undefined && !manifests) {
    throw new UsageError(
      "--manifest-based-snapshot-of needs --manifest or --thin-manifest-dir",
    );
  }
  if (v.manifest !== undefined && v["thin-manifest-dir"] !== undefined) {
    throw new UsageError("--manifest and --thin-manifest-dir cannot be used together");
  }
  for (const flag of ["confirm", "dry-run", "parse-only", "json-log-summary", "report"]) {
    if (v[flag] !== undefined) {
      throw new UsageError(`--${flag} cannot be used with a snapshot`);
    }
  }
  const registry = (live ?? based) as string;
  const parsed = parseRegistryName(registry);
  if ("error" in parsed) {
    throw new UsageError(
      `--${live !== undefined ? "snapshot" : "manifest-based-snapshot-of"}: ` +
        `"${registry}" is not a registry name: ${parsed.error}`,
    );
  }
  const format = (v.output as string | undefined) ?? "yaml";
  if (!isOutputFormat(format)) {
    throw new UsageError(
      `--output must be one of ${OUTPUT_FORMATS.join(", ")}, not "${format}"`,
    );
  }
  const tag = v["snapshot-tag"] as string | undefined;
  if (tag !== undefined && !isTag(tag)) {
    throw new UsageError(`--snapshot-tag: "${tag}" is not a valid tag`);
  }
  const opts: SnapshotOptions = { format, minimal: v["minimal-snapshot"] === true };
  if (tag !== undefined) opts.tag = tag;
  const sa = v["snapshot-service-account"] as string | undefined;
  if (sa !== undefined) opts.serviceAccount = sa;
  return opts;
}

/** Runs whichever snapshot mode the flags ask for; prints the snapshot only when complete. */
export async function runSnapshot(ctx: RunContext, deps: SnapshotDeps): Promise<number> {
  const opts = snapshotOptions(ctx.flags);
  const v = ctx.flags.values;
  const { images, skipped } = v.snapshot !== undefined
    ? { images: await registrySnapshot(ctx, deps, v.snapshot as string, opts), skipped: [] }
    : await manifestSnapshot(ctx, deps, v["manifest-based-snapshot-of"] as string, opts);
  let out = images;
  if (opts.tag !== undefined) out = keepTagged(out, opts.tag);
  await ctx.io.stdout(formatSnapshot(out, opts.format));
  failForSkipped(ctx, skipped);
  return skipped.length > 0 ? 1 : 0;
}

/** Walks a registry (or everything below its path) and returns its sorted snapshot. */
async function registrySnapshot(
  ctx: RunContext,
  deps: SnapshotDeps,
  registry: string,
  opts: SnapshotOptions,
): Promise<Snapshot> {
  const { backend, prefix } = await deps.open(registry, opts.serviceAccount);
  const progress = (read: number, found: number) =>
    ctx.log.progress(`snapshot of ${registry}: ${read}/${found} repositories read`);
  let inventory: Inventory;
  try {
    inventory = await deps.walk(backend, prefix, progress);
  } catch (e) {
    throw new SnapshotError(`Cannot take a snapshot of ${registry}`, { cause: e });
  }
  const rows = snapshotFromInventory(inventory, prefix);
  const digests = rows.images.reduce((n, i) => n + i.digests.length, 0);
  ctx.log.progress(
    `snapshot of ${registry}: ${inventory.size} repositories read, ` +
      `${rows.images.length} images, ${digests} digests`,
    true,
  );
  warnUnnamed(ctx.log, rows, registry);
  return opts.minimal ? minimal(rows.images) : rows.images;
}

/**
 * Computes what the manifests promote into `registry`, reading it only for --minimal: what a
 * promotion run would promote, so the parts of the manifests it would leave out for their
 * problems are left out here too (and returned, for the exit code).
 */
async function manifestSnapshot(
  ctx: RunContext,
  deps: SnapshotDeps,
  registry: string,
  opts: SnapshotOptions,
): Promise<{ images: Snapshot; skipped: readonly SkippedPart[] }> {
  const loaded = await deps.loadManifests(manifestInput(ctx.flags), ctx.log);
  const edgeSet = edgesOf(loaded);
  const skipped = loaded.problems.skipped;
  logSkipped(ctx, skipped);
  const rows = snapshotFromEdges(edgeSet.edges, registry);
  warnUnnamed(ctx.log, rows, registry);
  if (rows.images.length === 0) {
    ctx.log.warn(`the manifests promote nothing into ${registry}`);
  }
  if (!opts.minimal) return { images: rows.images, skipped };
  const sa = opts.serviceAccount ?? serviceAccountOf(edgeSet.edges, registry);
  const { backend, prefix } = await deps.open(registry, sa);
  const repos = rows.images.map((i) => joinRepository(prefix, i.name));
  let inventory: Inventory;
  try {
    inventory = await deps.read(backend, repos);
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
  return { images: minimal(rows.images, children), skipped };
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
