/** Benchmark: `cip run --parse-only` on a thin directory shaped like Kubernetes production. */
import { PERMISSION_FLAGS } from "../../.github/build/permission_flags.ts";
import { K8S_PRODUCTION, writeK8sShapedThinDir } from "./k8s_shape.ts";
import { measure } from "./measure.ts";

/** Targets of issue 2: wall time and peak memory of one run. */
const PARSE_ONLY_TARGETS = { wallMs: 2000, peakMiB: 400 };

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Generates the set, runs parse-only on it `runs` times, prints the figures; true if met. */
export async function benchParseOnly(runs = 3): Promise<boolean> {
  const dir = await Deno.makeTempDir({ prefix: "cip-bench-parse-" });
  try {
    const set = await writeK8sShapedThinDir(dir, K8S_PRODUCTION);
    let bytes = 0;
    for (const sub of ["manifests", "images"]) {
      for await (const e of Deno.readDir(`${dir}/${sub}`)) {
        for await (const f of Deno.readDir(`${dir}/${sub}/${e.name}`)) {
          bytes += (await Deno.stat(`${dir}/${sub}/${e.name}/${f.name}`)).size;
        }
      }
    }
    console.log(
      `set: ${set.manifests} sub-manifests, ${set.registries} registries, ${set.images} images, ` +
        `${set.digests} digests, ${set.edges} edges expected, ${
          (bytes / 1048576).toFixed(1)
        } MiB of YAML`,
    );
    // The same permissions as the compiled binary, as the CLI tests use.
    const args = [
      "run",
      ...PERMISSION_FLAGS,
      "--quiet",
      MAIN,
      "run",
      `--thin-manifest-dir=${dir}`,
      "--parse-only",
    ];
    // One run to let Deno fill its caches; not counted.
    await measure(Deno.execPath(), args);
    const walls: number[] = [];
    const peaks: number[] = [];
    for (let i = 0; i < runs; i++) {
      const m = await measure(Deno.execPath(), args);
      if (m.code !== 0) {
        console.log(`run ${i + 1}: cip exited ${m.code}\n${m.stderr}`);
        return false;
      }
      if (!m.stderr.includes(`${set.edges} edges`)) {
        console.log(`run ${i + 1}: unexpected summary: ${m.stderr.trim()}`);
        return false;
      }
      walls.push(m.wallMs);
      if (m.peakRssKiB !== null) peaks.push(m.peakRssKiB / 1024);
      console.log(
        `run ${i + 1}: wall ${(m.wallMs / 1000).toFixed(2)} s, ${
          m.cpuMs === null ? "" : `CPU ${(m.cpuMs / 1000).toFixed(2)} s, `
        }peak RSS ${
          m.peakRssKiB === null ? "unknown" : `${(m.peakRssKiB / 1024).toFixed(0)} MiB`
        } (${m.method}); ${m.stderr.trim()}`,
      );
    }
    const wall = median(walls);
    const peak = peaks.length > 0 ? Math.max(...peaks) : null;
    const wallOk = wall < PARSE_ONLY_TARGETS.wallMs;
    const peakOk = peak !== null && peak < PARSE_ONLY_TARGETS.peakMiB;
    console.log(
      `median wall ${(wall / 1000).toFixed(2)} s (target < ${
        PARSE_ONLY_TARGETS.wallMs / 1000
      } s: ` +
        `${wallOk ? "met" : "NOT met"}), highest peak RSS ${
          peak === null ? "unknown" : `${peak.toFixed(0)} MiB`
        } (target < ${PARSE_ONLY_TARGETS.peakMiB} MiB: ${peakOk ? "met" : "NOT met"})`,
    );
    return wallOk && peakOk;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}
