/**
 * Benchmark: a snapshot of a local docker-registry holding 2,000 tagged images in 100
 * repositories (10% of them image indexes with three children), by `cip --snapshot` and by
 * skopeo. The primary figure is requests against the API minimum (one catalog page, one tag
 * list per repository, one manifest GET per tag: an index's body names its children); wall time
 * and peak memory follow. Nothing about time is asserted.
 *
 * The skopeo baseline is what a user would run to capture every tag of a registry with skopeo:
 * one `skopeo sync --all --preserve-digests --src yaml --dest dir` over every repository
 * (`images-by-tag-regex: .*`), one process. skopeo has no command listing digests, and a loop
 * of `skopeo inspect` per tag (the former baseline) mostly measured 2,100 process start-ups.
 * The sync reads more than a snapshot needs (every blob, into a directory per tag); the request
 * count shows how much. Its copy is read back (the digest of every tag's manifest.json) and
 * must agree with cip's snapshot.
 */
import { PERMISSION_FLAGS } from "../../.github/build/permission_flags.ts";
import { digestOf } from "../fixtures/images.ts";
import { startLoggedRegistry } from "../integration/logged_registry.ts";
import type { RequestKind } from "../fakes/sim_registry.ts";
import { kindsOf } from "./promote_accounting.ts";
import { type FillPlan, fillRegistry } from "./fill_registry.ts";
import { measure } from "./measure.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** The benchmark's registry shape. */
const SNAPSHOT_PLAN: FillPlan = {
  repositories: 100,
  tagsPerRepository: 20,
  listEvery: 10,
  childrenPerList: 3,
};

/** One measured run. */
export interface Measure {
  tool: string;
  wallMs: number;
  requests: number;
  /** Requests by kind. */
  kinds: Map<RequestKind, number>;
  /** Peak resident memory in KiB. */
  peakKiB: number;
}

/** The fewest requests a snapshot of `repos` x `tags` allows (see the file's comment). */
export function snapshotMinimum(repos: number, tagsPerRepo: number): number {
  return [...snapshotMinimumKinds(repos, tagsPerRepo).values()].reduce((a, b) => a + b, 0);
}

/** The same minimum by kind of request. */
export function snapshotMinimumKinds(repos: number, tagsPerRepo: number) {
  return new Map<RequestKind, number>([
    ["catalog", Math.ceil(repos / 1000)],
    ["tags/list", repos * Math.ceil(tagsPerRepo / 1000)],
    ["manifest GET", repos * tagsPerRepo],
  ]);
}

/**
 * Takes the snapshot with cip as a user would (a `deno run` process); checks it is complete.
 * Returns the peak RSS and every `repo:tag` with its digest.
 */
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
  const lines = r.stdout.split("\n").filter((l) => l !== "");
  if (lines.length !== expectLines) {
    throw new Error(`cip's snapshot has ${lines.length} lines, expected ${expectLines}`);
  }
  const tags = new Map<string, string>();
  for (const l of lines) {
    const [ref, tag] = l.split(",");
    if (tag === "-") continue;
    tags.set(tag!, ref!.slice(ref!.indexOf("@") + 1));
  }
  return { peak: r.peakRssKiB ?? 0, tags };
}

/**
 * The same job with skopeo: one `sync --all --preserve-digests` of every repository into a
 * directory; returns its peak RSS and every `repo:tag` with the digest of its manifest.json.
 */
async function skopeoSync(host: string, repos: string[], dir: string) {
  const yaml = [`${host}:`, "  tls-verify: false", "  images-by-tag-regex:"];
  for (const repo of repos) yaml.push(`    ${repo}: ".*"`);
  await Deno.writeTextFile(`${dir}/sync.yaml`, yaml.join("\n") + "\n");
  const r = await measure("skopeo", [
    "sync",
    "--all",
    "--preserve-digests",
    "--src",
    "yaml",
    "--dest",
    "dir",
    `${dir}/sync.yaml`,
    `${dir}/out`,
  ]);
  if (r.code !== 0) throw new Error(`skopeo sync failed (${r.code}): ${r.stderr.slice(-2000)}`);
  const tags = new Map<string, string>();
  const walk = async (path: string, rel: string) => {
    for await (const e of Deno.readDir(path)) {
      if (e.isDirectory) await walk(`${path}/${e.name}`, rel ? `${rel}/${e.name}` : e.name);
      else if (e.name === "manifest.json") {
        const bytes = await Deno.readFile(`${path}/${e.name}`);
        // skopeo sync names each copy after the last part of its repository: `r000:v1.0`.
        tags.set(rel.split("/").pop()!, digestOf(bytes));
      }
    }
  };
  await walk(`${dir}/out`, "");
  return { peak: r.peakRssKiB ?? 0, tags };
}

/**
 * The `deno task bench` section: true when cip's requests are within 5% of the minimum (the
 * primary target); cip's wall time against skopeo's is printed alongside.
 */
export async function benchSnapshotSection(): Promise<boolean> {
  const { measures, minimum } = await benchSnapshot();
  return measures[0]!.requests <= 1.05 * minimum;
}

/** Runs the benchmark and prints its table; returns the two measures and the minimum. */
async function benchSnapshot(log: (line: string) => void = console.log) {
  const registry = await startLoggedRegistry();
  const dir = await Deno.makeTempDir({ prefix: "cip-bench-snapshot-" });
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
    await registry.mark();
    let start = performance.now();
    // One CSV line per tag and one per untagged child.
    const cip = await cipSnapshot(registry.host, filled.tags + filled.children);
    measures.push({
      tool: "cip --snapshot",
      wallMs: performance.now() - start,
      ...counts(await registry.served()),
      peakKiB: cip.peak,
    });
    await registry.mark();
    start = performance.now();
    const sk = await skopeoSync(registry.host, filled.repositories, dir);
    const wrong = [...cip.tags].filter(([ref, d]) => sk.tags.get(ref) !== d);
    if (sk.tags.size !== filled.tags || wrong.length > 0) {
      throw new Error(
        `skopeo's copy has ${sk.tags.size} tags of ${filled.tags}; ${wrong.length} disagree ` +
          `with cip's snapshot, e.g. ${wrong[0]?.[0]}`,
      );
    }
    measures.push({
      tool: "skopeo sync",
      wallMs: performance.now() - start,
      ...counts(await registry.served()),
      peakKiB: sk.peak,
    });
    const least = snapshotMinimumKinds(filled.repositories.length, SNAPSHOT_PLAN.tagsPerRepository);
    const minimum = snapshotMinimum(filled.repositories.length, SNAPSHOT_PLAN.tagsPerRepository);
    log(`  minimum the API allows: ${minimum} requests (${byKind(least)})`);
    for (const m of measures) {
      const met = m.requests <= 1.05 * minimum ? "met" : "NOT met";
      log(
        `  ${m.tool.padEnd(15)} ${m.requests.toString().padStart(6)} requests = ` +
          `${(m.requests / minimum).toFixed(2)}x the minimum (target <= 1.05x: ${met}); ` +
          `${Math.round(m.wallMs).toString().padStart(6)} ms, ` +
          `${Math.round(m.peakKiB / 1024).toString().padStart(4)} MiB peak RSS`,
      );
      log(`    by kind: ${byKind(m.kinds)}`);
    }
    const ratio = measures[0]!.wallMs / measures[1]!.wallMs;
    log(`  cip / skopeo sync wall time: ${(ratio * 100).toFixed(1)}% (both read back and agree)`);
    return { measures, minimum };
  } finally {
    await registry.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await benchSnapshot();

/** A registry log window as a total and counts by kind. */
function counts(served: Parameters<typeof kindsOf>[0]) {
  return { requests: served.requests, kinds: kindsOf(served) };
}

/** Counts by kind as text. */
function byKind(kinds: Map<RequestKind, number>): string {
  return [...kinds].sort().map(([k, n]) => `${k} ${n}`).join(", ");
}
