/**
 * Listing benchmark: walks a local docker-registry holding 100 repositories x 50 tags (and an
 * in-memory registry with the GCR/AR extension) and compares the requests made with the
 * minimum the API allows. Requests go through cip's transport (limits, retries, accounting)
 * and are counted by its accounting.
 */
import { Logger } from "../../src/log.ts";
import { walkRegistry } from "../../src/registry/inventory.ts";
import { Registries } from "../../src/registry/open.ts";
import { ANONYMOUS } from "../../src/registry/mod.ts";
import { FakeRegistry } from "../fakes/registry.ts";
import { makeImage, pushBlob, pushManifest } from "../fixtures/images.ts";
import { startRegistry } from "../integration/registry_process.ts";
import { pool } from "./fill_registry.ts";

/** What one listing run measured. */
export interface ListBenchResult {
  scenario: string;
  repositories: number;
  tagsPerRepository: number;
  /** Requests made, by method. */
  requests: Record<string, number>;
  total: number;
  /** The fewest requests the API allows for this listing. */
  minimum: number;
  /** Whether `total` is within 5% of `minimum`. */
  withinFivePercent: boolean;
  wallMs: number;
}

/** Options of the listing benchmark. */
export interface ListBenchOptions {
  repositories?: number;
  tags?: number;
  /** Requests in flight at once while listing (cip's default `--threads` is 20). */
  threads?: number;
}

/** The registries of one benchmark run: cip's real transport over `f`, anonymous. */
function openRegistries(threads: number, f: typeof fetch): Registries {
  return new Registries({
    keyFiles: [],
    env: () => undefined,
    insecureHosts: [],
    threads,
    credentials: () => ANONYMOUS,
    fetch: f,
    now: Date.now,
    log: new Logger("error"),
  });
}

/** Requests by method over all hosts, from the transport's accounting. */
function requestsByMethod(r: Registries): Record<string, number> {
  const out: Record<string, number> = {};
  for (const host of Object.values(r.stats.snapshot().hosts)) {
    for (const [m, n] of Object.entries(host.requests)) out[m] = (out[m] ?? 0) + n;
  }
  return out;
}

/**
 * Walks registry `name` below `prefix` through cip's transport over `f`, timing the walk and
 * counting its requests; throws unless it found all `opts.repositories` repositories.
 */
async function timedWalk(
  opts: Required<ListBenchOptions>,
  f: typeof fetch,
  name: string,
  prefix: string,
): Promise<{ counts: Record<string, number>; wallMs: number }> {
  const registries = openRegistries(opts.threads, f);
  const { backend } = registries.open(name);
  const start = performance.now();
  const inv = await walkRegistry(backend, prefix);
  const wallMs = performance.now() - start;
  const counts = requestsByMethod(registries);
  if (inv.size !== opts.repositories) {
    throw new Error(`listed ${inv.size} repositories, expected ${opts.repositories}`);
  }
  return { counts, wallMs };
}

function result(
  scenario: string,
  opts: Required<ListBenchOptions>,
  counts: Record<string, number>,
  minimum: number,
  wallMs: number,
): ListBenchResult {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    scenario,
    repositories: opts.repositories,
    tagsPerRepository: opts.tags,
    requests: counts,
    total,
    minimum,
    withinFivePercent: total <= minimum * 1.05,
    wallMs,
  };
}

/** Lists a real docker-registry filled with `repositories` x `tags` (one image, many tags). */
export async function benchPlainRegistry(o: ListBenchOptions = {}): Promise<ListBenchResult> {
  const opts = { repositories: 100, tags: 50, threads: 20, ...o };
  const reg = await startRegistry();
  try {
    const image = makeImage({ layers: 1, mediaType: "docker", seed: 1 });
    const tags = Array.from({ length: opts.tags }, (_, i) => `v${i}`);
    const repos = Array.from(
      { length: opts.repositories },
      (_, i) => `bench/repo${String(i).padStart(3, "0")}`,
    );
    await pool(repos, 8, async (repo) => {
      for (const b of [image.config, ...image.layers]) await pushBlob(reg.url, repo, b);
      for (const t of tags) await pushManifest(reg.url, repo, image.manifest, t);
    });
    const { counts, wallMs } = await timedWalk(opts, globalThis.fetch, reg.host, "");
    // Catalog pages (n=1000) + tag-list pages (n=1000) + one HEAD per tag.
    const minimum = Math.ceil(opts.repositories / 1000) +
      opts.repositories * Math.ceil(opts.tags / 1000) + opts.repositories * opts.tags;
    return result("docker-registry (plain API)", opts, counts, minimum, wallMs);
  } finally {
    await reg.stop();
  }
}

/** Lists an in-memory registry serving the GCR/AR extension (one request per repository). */
export async function benchExtensionRegistry(o: ListBenchOptions = {}): Promise<ListBenchResult> {
  const opts = { repositories: 100, tags: 50, threads: 20, ...o };
  const fake = new FakeRegistry({ host: "us-docker.pkg.dev", extension: { numbers: "int" } });
  const image = makeImage({ layers: 1, mediaType: "docker", seed: 1 });
  const tags = Array.from({ length: opts.tags }, (_, i) => `v${i}`);
  for (let i = 0; i < opts.repositories; i++) {
    fake.seed(`proj/images/repo${String(i).padStart(3, "0")}`, image, tags);
  }
  const { counts, wallMs } = await timedWalk(opts, fake.fetch, `${fake.host}/proj`, "proj");
  // One request per repository (the intermediate path proj/images is one more).
  return result("GCR/AR extension (in memory)", opts, counts, opts.repositories, wallMs);
}

/** Formats a result as a few human-readable lines. */
export function formatListBench(r: ListBenchResult): string {
  const methods = Object.entries(r.requests).sort().map(([m, n]) => `${m} ${n}`).join(", ");
  return [
    `listing: ${r.scenario}, ${r.repositories} repositories x ${r.tagsPerRepository} tags`,
    `  requests: ${r.total} (${methods}); minimum the API allows: ${r.minimum}; ` +
    `within 5%: ${r.withinFivePercent ? "yes" : "NO"}`,
    `  wall time: ${(r.wallMs / 1000).toFixed(2)} s`,
  ].join("\n");
}

/** Runs both listing scenarios, prints them, and returns false if any is over the bound. */
export async function runListBench(print: (line: string) => void = console.log) {
  let ok = true;
  for (const run of [benchPlainRegistry, benchExtensionRegistry]) {
    const r = await run();
    print(formatListBench(r));
    ok &&= r.withinFivePercent;
  }
  return ok;
}

if (import.meta.main) {
  Deno.exit((await runListBench()) ? 0 : 1);
}
