/**
 * Benchmark: a snapshot of a local docker-registry holding 2,000 tagged images in 100
 * repositories (10% of them image indexes with three children), by `cip --snapshot` and by
 * skopeo (`list-tags` per repository, `inspect --raw` per tag). Reports wall time, requests
 * (from the registry's access log) and peak memory; asserts nothing about time.
 */
import { PERMISSION_FLAGS } from "../../.github/build/permission_flags.ts";
import { startBenchRegistry } from "./bench_registry.ts";
import { type FillPlan, fillRegistry, pool } from "./fill_registry.ts";
import { measure } from "./measure.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** The benchmark's registry shape. */
const SNAPSHOT_PLAN: FillPlan = {
  repositories: 100,
  tagsPerRepository: 20,
  listEvery: 10,
  childrenPerList: 3,
};

/** Parallel skopeo processes. */
const SKOPEO_PARALLEL = 8;

/** One measured run. */
export interface Measure {
  tool: string;
  wallMs: number;
  requests: number;
  /** Peak resident memory in KiB (for skopeo: the largest of its processes). */
  peakKiB: number;
}

/** Takes the snapshot with cip as a user would (a `deno run` process); checks it is complete. */
async function cipSnapshot(host: string, expectLines: number) {
  const r = await measure(Deno.execPath(), [
    "run",
    ...PERMISSION_FLAGS,
    "--quiet",
    MAIN,
    `--snapshot=${host}/bench`,
    "--output=csv",
  ]);
  if (r.code !== 0) throw new Error(`cip --snapshot failed (${r.code}): ${r.stderr}`);
  const lines = r.stdout.split("\n").filter((l) => l !== "").length;
  if (lines !== expectLines) {
    throw new Error(`cip's snapshot has ${lines} lines, expected ${expectLines}`);
  }
  return r.peakRssKiB ?? 0;
}

/** The same job with skopeo: list-tags per repository, then inspect --raw per tag. */
async function skopeoSnapshot(host: string, repos: string[]) {
  let peak = 0;
  const tagged: string[] = [];
  const skopeo = async (args: string[]) => {
    const r = await measure("skopeo", args);
    if (r.code !== 0) throw new Error(`skopeo ${args.join(" ")} failed: ${r.stderr}`);
    peak = Math.max(peak, r.peakRssKiB ?? 0);
    return r.stdout;
  };
  await pool(repos, SKOPEO_PARALLEL, async (repo) => {
    const out = await skopeo(["list-tags", "--tls-verify=false", `docker://${host}/${repo}`]);
    for (const tag of (JSON.parse(out) as { Tags: string[] }).Tags) tagged.push(`${repo}:${tag}`);
  });
  await pool(tagged, SKOPEO_PARALLEL, async (ref) => {
    await skopeo(["inspect", "--raw", "--tls-verify=false", `docker://${host}/${ref}`]);
  });
  return { peak, tags: tagged.length };
}

/** The `deno task bench` section: true when cip took under 15% of skopeo's time. */
export async function benchSnapshotSection(): Promise<boolean> {
  const [cip, skopeo] = await benchSnapshot();
  return cip!.wallMs < 0.15 * skopeo!.wallMs;
}

/** Runs the benchmark and prints its table; returns the two measures. */
async function benchSnapshot(log: (line: string) => void = console.log): Promise<Measure[]> {
  const registry = await startBenchRegistry();
  try {
    const t0 = performance.now();
    const filled = await fillRegistry(registry.url, SNAPSHOT_PLAN);
    log(
      `snapshot bench: filled ${registry.host} with ${filled.tags} tags in ` +
        `${filled.repositories.length} repositories (${filled.lists} indexes, ` +
        `${filled.children} children) in ${Math.round(performance.now() - t0)} ms`,
    );
    // One run to let Deno fill its caches; not counted.
    await measure(Deno.execPath(), ["run", ...PERMISSION_FLAGS, "--quiet", MAIN, "--version"]);
    const measures: Measure[] = [];
    let before = await registry.requests();
    let start = performance.now();
    // One CSV line per tag and one per untagged child.
    const cipPeak = await cipSnapshot(registry.host, filled.tags + filled.children);
    measures.push({
      tool: "cip --snapshot",
      wallMs: performance.now() - start,
      requests: (await registry.requests()) - before,
      peakKiB: cipPeak,
    });
    before = await registry.requests();
    start = performance.now();
    const sk = await skopeoSnapshot(registry.host, filled.repositories);
    if (sk.tags !== filled.tags) throw new Error(`skopeo saw ${sk.tags} tags of ${filled.tags}`);
    measures.push({
      tool: `skopeo x${SKOPEO_PARALLEL}`,
      wallMs: performance.now() - start,
      requests: (await registry.requests()) - before,
      peakKiB: sk.peak,
    });
    for (const m of measures) {
      log(
        `  ${m.tool.padEnd(16)} ${Math.round(m.wallMs).toString().padStart(7)} ms  ` +
          `${m.requests.toString().padStart(6)} requests  ` +
          `${Math.round(m.peakKiB / 1024).toString().padStart(4)} MiB peak RSS`,
      );
    }
    const ratio = measures[0]!.wallMs / measures[1]!.wallMs;
    log(`  cip / skopeo wall time: ${(ratio * 100).toFixed(1)}% (target: under 15%)`);
    return measures;
  } finally {
    await registry.stop();
  }
}

if (import.meta.main) await benchSnapshot();
