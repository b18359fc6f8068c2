/**
 * The promotion workloads against Google-style registries: the same images, copied by cip
 * between two simulated hosts serving the GCR/AR tags/list extension (tests/fakes/sim_*.ts,
 * no quota, no latency), with every request counted by kind against the same minimum.
 */
import { RequestCounter } from "../fakes/sim_quota.ts";
import { startSimServers } from "../fakes/sim_servers.ts";
import { ContentStore } from "../fakes/sim_store.ts";
import type { Counts } from "./min_requests.ts";
import { againstMinimum, verifyCopied, workloadMinimum } from "./promote_accounting.ts";
import { type BenchImage, cipManifest, pushAll } from "./promote_images.ts";

/** One workload's figures. */
export interface GoogleRow {
  what: string;
  seconds: number;
  peakMiB: number;
  line: string;
  ok: boolean;
}

/** Runs a command; wall seconds and peak RSS in MiB (the caller's `measure`). */
export type Runner = (cmd: string[]) => Promise<{
  seconds: number;
  peakMiB: number;
  code: number;
  stderr: string;
}>;

/**
 * Copies `first` into absent repositories, reruns it (no-op), then copies `second` into the
 * same repositories, each between simulated Google hosts; verifies each copy by raw fetch.
 */
export async function benchGoogleWorkloads(
  first: readonly BenchImage[],
  second: readonly BenchImage[],
  run: Runner,
  cip: (manifest: string) => string[],
): Promise<GoogleRow[]> {
  const counter = new RequestCounter(new Set(["dst"]));
  const servers = await startSimServers(
    ["src", "dst"],
    new ContentStore(),
    { requestsPerSecond: 0, latencyMs: [0, 0] },
    counter,
    () => "int",
  );
  const work = await Deno.makeTempDir({ prefix: "cip-bench-google-" });
  try {
    const [src, dst] = servers.hosts as [typeof servers.hosts[0], typeof servers.hosts[0]];
    await pushAll(`http://${src.address}`, first);
    await pushAll(`http://${src.address}`, second);
    const rows: GoogleRow[] = [];
    const step = async (
      what: string,
      named: readonly BenchImage[],
      copies: readonly BenchImage[],
      present: readonly BenchImage[],
    ) => {
      const file = `${work}/${rows.length}.yaml`;
      await Deno.writeTextFile(file, cipManifest(src.address, `${dst.address}/cip`, named));
      counter.reset();
      const m = await run([...cip(file), "--confirm"]);
      if (m.code !== 0) {
        throw new Error(`${what} failed (exit ${m.code}):\n${m.stderr.slice(-3000)}`);
      }
      // Counted before the read-back, which makes requests of its own.
      const actual: Counts = counter.total();
      if (copies.length === 0 && counter.counts.has("writes")) {
        throw new Error(`${what} wrote to a registry that held everything`);
      }
      await verifyCopied(`http://${dst.address}`, "cip", named);
      const minimum = workloadMinimum({ copies, present, named }, "cip", true);
      const line = againstMinimum(actual, minimum);
      rows.push({ what, seconds: m.seconds, peakMiB: m.peakMiB, line, ok: !line.includes("NOT") });
    };
    await step("first-time promotion (extension)", first, first, []);
    await step("no-op rerun (extension)", first, [], first);
    await step(
      "new digests, layers mostly there (extension)",
      [...first, ...second],
      second,
      first,
    );
    return rows;
  } finally {
    await servers.close();
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}
