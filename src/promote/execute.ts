/**
 * Carries out a plan: every copy and tag action starts at once (concurrency is limited per
 * host by the transport), each finishes or fails on its own, and progress goes to stderr.
 */
import type { Logger } from "../log.ts";
import type { Backend, Inventory } from "../registry/mod.ts";
import { Copier, type CopierOptions, type CopyStats, type Endpoint } from "./copier.ts";
import type { ImageAction, Plan } from "./plan.ts";
import { describeError } from "../describe_error.ts";

/**
 * Images copied at once per destination registry: each destination's hosts are kept busy (a
 * copy waits on round trips most of its time), whatever the number of destinations; the
 * transport still limits requests per host. Measured on the Kubernetes simulation (22 regions):
 * 64 images in all left the hosts at a fifth of their quota.
 */
const IMAGES_IN_FLIGHT_PER_DESTINATION = 64;

/** What execution needs besides the plan. */
export interface ExecuteOptions {
  /** Registry name (as manifests write it) -> its backend. */
  backends: ReadonlyMap<string, Backend>;
  log: Logger;
  /** Whether stderr is a terminal: one updating progress line instead of a line per image. */
  terminal?: boolean;
  now?: () => number;
  /**
   * Upper bound on images in flight, to bound memory on very large plans (default:
   * IMAGES_IN_FLIGHT_PER_DESTINATION per destination registry of the plan).
   */
  imagesInFlight?: number;
  /**
   * The inventories the plan was made from (backend id -> repositories), so the copier does
   * not ask again what a listing showed.
   */
  inventories?: ReadonlyMap<string, Inventory>;
  /** Passed to the copier (the run's retry policy and reader of registry contents). */
  copier?: Pick<CopierOptions, "policy" | "reader">;
}

/** How one action ended. */
export interface ActionOutcome {
  ok: boolean;
  /** One line: what failed and why. */
  error?: string;
  /** The error itself, for callers that branch on its type. */
  cause?: unknown;
  /** Wall time of the action in milliseconds. */
  ms: number;
}

/** The outcome of a whole execution. */
export interface ExecuteResult {
  outcomes: Map<ImageAction, ActionOutcome>;
  stats: CopyStats;
  /** Wall time in milliseconds. */
  ms: number;
}

/** Executes the plan's actions; never throws for a failed action (see the outcomes). */
export async function execute(plan: Plan, options: ExecuteOptions): Promise<ExecuteResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const total = plan.actions.length;
  let done = 0;
  let bytesDone = 0;
  let bytesKnown = 0;
  let lastDrawn = Number.NEGATIVE_INFINITY;
  const progressLine = () => {
    const secs = Math.max((now() - started) / 1000, 0.001);
    return `Promoting: ${done}/${total} images, ${mib(bytesDone)}/${mib(bytesKnown)} MiB, ` +
      `${mib(bytesDone / secs)} MiB/s`;
  };
  const copier = new Copier({
    ...options.copier,
    listedHomes: listedHomes(plan, options.inventories),
    onBlob: (size) => {
      bytesKnown += size;
    },
    onBytes: (n) => {
      bytesDone += n;
      if (options.terminal && now() - lastDrawn >= 100) {
        lastDrawn = now();
        options.log.progress(progressLine());
      }
    },
  });
  const endpoint = (registry: string, repo: string): Endpoint => {
    const backend = options.backends.get(registry);
    if (!backend) throw new Error(`execute: no backend for registry ${registry}`);
    const listed = options.inventories?.get(backend.id)?.get(repo);
    return listed ? { backend, repo, listed } : { backend, repo };
  };

  const outcomes = new Map<ImageAction, ActionOutcome>();
  const runOne = async (action: ImageAction) => {
    const t0 = now();
    try {
      await perform(copier, action, endpoint);
      const ms = now() - t0;
      outcomes.set(action, { ok: true, ms });
      done++;
      const verb = action.kind === "copy" ? "Copied" : "Tagged";
      const what = `${action.dst}/${action.image}@${action.digest}`;
      if (options.terminal) options.log.progress(progressLine());
      else options.log.info(`${verb} ${what} (${done}/${total}) in ${seconds(ms)}`);
    } catch (e) {
      const ms = now() - t0;
      outcomes.set(action, { ok: false, error: describeError(e), cause: e, ms });
      done++;
      options.log.error(
        `Failed ${action.dst}/${action.image}@${action.digest} (${done}/${total}): ` +
          describeError(e),
      );
    }
  };
  const destinations = new Set(plan.actions.map((a) => a.dst)).size;
  const inFlight = options.imagesInFlight ??
    IMAGES_IN_FLIGHT_PER_DESTINATION * Math.max(1, destinations);
  await bounded(plan.actions, inFlight, runOne);
  await copier.settled();
  if (total > 0) options.log.progress(progressLine(), true);
  return { outcomes, stats: copier.stats, ms: now() - started };
}

/** Copies one image (children and blobs first) and sets its tags, or only sets tags. */
async function perform(
  copier: Copier,
  action: ImageAction,
  endpoint: (registry: string, repo: string) => Endpoint,
): Promise<void> {
  const dst = endpoint(action.dst, action.dstRepo);
  let readFrom: Endpoint;
  if (action.kind === "copy") {
    readFrom = endpoint(action.src, action.srcRepo);
    await copier.ensureManifest(readFrom, dst, action.digest, true, action.tags[0]);
  } else {
    readFrom = dst;
  }
  if (action.tags.length === 0) return;
  const manifest = await copier.readManifest(readFrom, action.digest);
  await Promise.all(action.tags.map((tag) => copier.putTag(dst, tag, manifest)));
}

/**
 * Where the listings showed the manifests the plan copies (and their children): backend id and
 * digest -> the repositories holding it, from which its blobs can be mounted.
 */
function listedHomes(
  plan: Plan,
  inventories: ReadonlyMap<string, Inventory> | undefined,
): (backendId: string, digest: string) => readonly string[] {
  const wanted = new Set<string>();
  for (const a of plan.actions) {
    if (a.kind !== "copy") continue;
    wanted.add(a.digest);
    for (const c of a.children) wanted.add(c);
  }
  const homes = new Map<string, string[]>();
  for (const [backendId, inventory] of inventories ?? []) {
    for (const [repo, held] of inventory) {
      for (const digest of held.keys()) {
        if (!wanted.has(digest)) continue;
        const k = `${backendId}\0${digest}`;
        const repos = homes.get(k);
        if (repos) repos.push(repo);
        else homes.set(k, [repo]);
      }
    }
  }
  return (backendId, digest) => homes.get(`${backendId}\0${digest}`) ?? [];
}

/** Runs `fn` over the items with at most `limit` in flight. */
async function bounded<T>(items: readonly T[], limit: number, fn: (x: T) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

function mib(n: number): string {
  return (n / 1048576).toFixed(1);
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}
