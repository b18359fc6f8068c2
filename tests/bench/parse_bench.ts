/**
 * Benchmark: `cip run --parse-only` on the real thin manifest tree of registry.k8s.io
 * (testdata/corpus), on that tree twice over (every sub-manifest again under other destination
 * paths: twice the files, digests and edges), and on a synthetic tree shaped like Kubernetes
 * production. Growth from the real tree to the doubled one should be linear.
 */
import { PERMISSION_FLAGS } from "../../.github/build/permission_flags.ts";
import { CORPUS_DIR } from "../manifest/corpus.ts";
import { K8S_PRODUCTION, writeK8sShapedThinDir } from "./k8s_shape.ts";
import { measure } from "./measure.ts";

/** Targets for the real tree (issue 11): wall time and peak memory of one run. */
const REAL_TARGETS = { wallMs: 2000, peakMiB: 300 };

/** Doubling the tree may at most multiply wall time by this (linear growth, with start-up). */
const MAX_DOUBLING_FACTOR = 2.2;

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** What one tree gave: median wall time and highest peak RSS over the runs. */
interface TreeFigures {
  wallMs: number;
  peakMiB: number | null;
}

/** Runs the three trees and prints their figures; true when every target was met. */
export async function benchParseOnly(runs = 3): Promise<boolean> {
  const dir = await Deno.makeTempDir({ prefix: "cip-bench-parse-" });
  try {
    const doubled = `${dir}/doubled`;
    await writeDoubledCorpus(doubled);
    const synthetic = `${dir}/synthetic`;
    const set = await writeK8sShapedThinDir(synthetic, K8S_PRODUCTION);

    console.log(`real tree: ${CORPUS_DIR} (${await treeSummary(CORPUS_DIR)})`);
    const real = await runTree(CORPUS_DIR, runs, "1 problem found");
    console.log(`doubled real tree (${await treeSummary(doubled)})`);
    const twice = await runTree(doubled, runs, "2 problems found");
    console.log(
      `synthetic Kubernetes-shaped tree: ${set.manifests} sub-manifests, ${set.digests} digests, ` +
        `${set.edges} edges`,
    );
    await runTree(synthetic, runs, `${set.edges} edges`);

    const wallOk = real.wallMs < REAL_TARGETS.wallMs;
    const peakOk = real.peakMiB !== null && real.peakMiB < REAL_TARGETS.peakMiB;
    const factor = twice.wallMs / real.wallMs;
    const linear = factor <= MAX_DOUBLING_FACTOR;
    console.log(
      `real tree: median wall ${secs(real.wallMs)} (target < ${secs(REAL_TARGETS.wallMs)}: ` +
        `${met(wallOk)}), peak RSS ${mib(real.peakMiB)} (target < ${REAL_TARGETS.peakMiB} MiB: ` +
        `${met(peakOk)}); twice the tree takes ${factor.toFixed(2)}x the time and ` +
        `${mib(twice.peakMiB)} (target <= ${MAX_DOUBLING_FACTOR}x: ${met(linear)})`,
    );
    return wallOk && peakOk && linear;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs parse-only on `tree` once to warm Deno's caches, then `runs` times, printing each. */
async function runTree(tree: string, runs: number, expected: string): Promise<TreeFigures> {
  // The same permissions as the compiled binary, as the CLI tests use.
  const args = [
    "run",
    ...PERMISSION_FLAGS,
    "--quiet",
    MAIN,
    "run",
    `--thin-manifest-dir=${tree}`,
    "--parse-only",
  ];
  await measure(Deno.execPath(), args);
  const walls: number[] = [];
  const peaks: number[] = [];
  for (let i = 0; i < runs; i++) {
    const m = await measure(Deno.execPath(), args);
    if (!m.stderr.includes(expected)) {
      throw new Error(`parse-only of ${tree} exited ${m.code}: ${m.stderr.slice(-2000)}`);
    }
    walls.push(m.wallMs);
    if (m.peakRssKiB !== null) peaks.push(m.peakRssKiB / 1024);
    console.log(
      `  run ${i + 1}: wall ${secs(m.wallMs)}, ` +
        `${m.cpuMs === null ? "" : `CPU ${secs(m.cpuMs)}, `}peak RSS ${
          mib(m.peakRssKiB === null ? null : m.peakRssKiB / 1024)
        } (${m.method})`,
    );
  }
  return { wallMs: median(walls), peakMiB: peaks.length > 0 ? Math.max(...peaks) : null };
}

/**
 * Writes the corpus twice into `dir`: each sub-manifest as it is, and again as `<name>-again`
 * promoting to destination paths under `images-again/` instead of `images/`.
 */
async function writeDoubledCorpus(dir: string): Promise<void> {
  for await (const e of Deno.readDir(`${CORPUS_DIR}/manifests`)) {
    const registries = await Deno.readTextFile(
      `${CORPUS_DIR}/manifests/${e.name}/promoter-manifest.yaml`,
    );
    const images = await Deno.readTextFile(`${CORPUS_DIR}/images/${e.name}/images.yaml`);
    for (
      const [name, text] of [[e.name, registries], [
        `${e.name}-again`,
        registries.replaceAll("/k8s-artifacts-prod/images/", "/k8s-artifacts-prod/images-again/"),
      ]]
    ) {
      await Deno.mkdir(`${dir}/manifests/${name}`, { recursive: true });
      await Deno.mkdir(`${dir}/images/${name}`, { recursive: true });
      await Deno.writeTextFile(`${dir}/manifests/${name}/promoter-manifest.yaml`, text!);
      await Deno.writeTextFile(`${dir}/images/${name}/images.yaml`, images);
    }
  }
}

/** Sub-manifests and bytes of YAML in a thin tree. */
async function treeSummary(dir: string): Promise<string> {
  let files = 0;
  let bytes = 0;
  for (const sub of ["manifests", "images"]) {
    for await (const e of Deno.readDir(`${dir}/${sub}`)) {
      for await (const f of Deno.readDir(`${dir}/${sub}/${e.name}`)) {
        files++;
        bytes += (await Deno.stat(`${dir}/${sub}/${e.name}/${f.name}`)).size;
      }
    }
  }
  return `${files} files, ${(bytes / 1048576).toFixed(1)} MiB of YAML`;
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function mib(m: number | null): string {
  return m === null ? "unknown" : `${m.toFixed(0)} MiB`;
}

function met(ok: boolean): string {
  return ok ? "met" : "NOT met";
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}
