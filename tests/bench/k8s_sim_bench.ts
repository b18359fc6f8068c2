/**
 * `deno task bench k8s-sim` (and `k8s-sim-quick`): cip against simulated Google-style
 * registries at Kubernetes scale. The real thin manifest tree (testdata/corpus) is laid out
 * over one staging host and 22 regional hosts on 127.0.0.1 (k8s_tree.ts says how its digests
 * become synthetic manifests), each host with a request quota answering 429 and a round-trip
 * latency; cip runs as a subprocess at the quota (`--max-requests-per-second`). Runs:
 * (b) a dry run while some digests are missing in every region (its plan must list exactly
 * those), (c) the promotion of those digests (`--confirm`; the fakes must hold every placement
 * afterwards), (a) the no-op reconcile of the whole tree that follows (no write, nothing
 * planned). Each reports wall time, the floor, requests per host and kind against the API
 * minimum, and peak RSS. A wrong plan or copy throws: no time is reported for it.
 */
import { PERMISSION_FLAGS } from "../../.github/build/permission_flags.ts";
import { CORPUS_DIR } from "../manifest/corpus.ts";
import { RequestCounter } from "../fakes/sim_quota.ts";
import { type SimHost, type SimNetwork, startSimServers } from "../fakes/sim_servers.ts";
import { decideRoles, EXTRA_REGIONS, loadCorpusModel } from "./k8s_tree.ts";
import {
  chooseMissing,
  edgeCount,
  expectedCopies,
  layoutOf,
  placements,
  regionHost,
  STAGING,
  writeSimTree,
} from "./k8s_sim_tree.ts";
import { measure } from "./measure.ts";
import { checkPlan, layoutProblems, readPlan } from "./sim_checks.ts";
import { num, simReport, type SimRun } from "./sim_figures.ts";
import { simMinimum } from "./sim_minimum.ts";
import { buildSyntheticTree } from "./synthetic_content.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** The size and network of a simulation. */
export interface SimScale {
  /** Sub-manifests of the corpus to use (all when absent). */
  manifests?: readonly string[];
  /** Regional hosts (the corpus names 20; the simulation adds EXTRA_REGIONS). */
  regions: number;
  /** Digests missing in every region for runs (b) and (c). */
  missing: number;
  network: SimNetwork;
  /** cip's requests in flight per host (its --threads default). */
  threads: number;
}

/** Kubernetes as the issue measured it: the whole tree, 22 regions, 50 requests/s per host. */
export const FULL_SCALE: SimScale = {
  regions: 22,
  missing: 50,
  network: { requestsPerSecond: 50, latencyMs: [20, 50] },
  threads: 20,
};

/** A quick run: eight small sub-manifests, three regions, ten digests missing. */
export const QUICK_SCALE: SimScale = {
  ...FULL_SCALE,
  manifests: [
    "k8s-staging-addon-manager",
    "k8s-staging-autoscaling",
    "k8s-staging-coredns",
    "k8s-staging-dns",
    "k8s-staging-etcd",
    "k8s-staging-ingress-nginx",
    "k8s-staging-metrics-server",
    "k8s-staging-sig-storage",
  ],
  regions: 3,
  missing: 10,
};

/** Runs the simulation at `scale`, prints its figures; true when every target was met. */
export async function benchK8sSim(scale: SimScale, log = console.log): Promise<boolean> {
  const t0 = performance.now();
  const pick = scale.manifests ? (n: string) => scale.manifests!.includes(n) : undefined;
  const { model, regions: corpusRegions } = await loadCorpusModel(CORPUS_DIR, pick);
  const regions = [...corpusRegions, ...EXTRA_REGIONS].slice(0, scale.regions);
  const tree = buildSyntheticTree(decideRoles(model));
  const { sources, destinations } = placements(model, regions, tree);
  const missing = chooseMissing(model, scale.missing);
  const missingIndexes = [...missing].filter((d) =>
    tree.store.manifests.get(tree.digests.get(d)!)!.children.length > 0
  );
  const names = [STAGING, ...regions.map(regionHost)];
  const counter = new RequestCounter(new Set(names.slice(1)));
  const servers = await startSimServers(
    names,
    tree.store,
    scale.network,
    counter,
    (n) => n === STAGING ? "string" : "int",
  );
  const work = await Deno.makeTempDir({ prefix: "cip-k8s-sim-" });
  try {
    const hosts = new Map<string, SimHost>(servers.hosts.map((h) => [h.name, h]));
    const address = (name: string) => hosts.get(name)!.address;
    const seed = (ps: typeof sources) => {
      for (const [name, layout] of layoutOf(ps)) {
        for (const [repo, digests] of layout) {
          for (const [d, tags] of digests) hosts.get(name)!.state.seed(repo, d, [...tags]);
        }
      }
    };
    seed(sources);
    seed(destinations.filter((p) => !missing.has(p.corpus)));
    const dir = `${work}/tree`;
    await writeSimTree(dir, CORPUS_DIR, model, regions, tree, address);
    const srcRepos = layoutOf(sources).get(STAGING)!.size;
    const dstRepos = [...layoutOf(destinations).values()].map((l) => l.size);
    const c = tree.counts;
    log(
      `tree: ${model.length} sub-manifests, ${num(c.named)} digests named (${num(c.indexes)} ` +
        `indexes, ${num(c.indexesWithNamedChildren)} of them with named children; ` +
        `${num(c.ownChildren)} more children named by no manifest; ${num(c.childEdges)} ` +
        `index-child links), ${num(edgeCount(model, regions.length))} edges; ` +
        `${regions.length} regions x ${num(dstRepos[0] ?? 0)} repositories + ${srcRepos} ` +
        `source repositories; ${num(c.manifests)} manifests, ${num(c.blobs)} blobs; ` +
        `${missing.size} digests missing everywhere (${missingIndexes.length} indexes); ` +
        `set up in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const net = scale.network;
    log(
      `network: ${net.requestsPerSecond} requests/s per host (429 without Retry-After), ` +
        `latency ${net.latencyMs[0]}-${net.latencyMs[1]} ms, cip --threads ${scale.threads}; ` +
        `load average ${(await loadAverage())}`,
    );
    const env = [
      `GCE_METADATA_HOST=${servers.metadataHost}`,
      `DOCKER_CONFIG=${work}/docker`,
      "NO_COLOR=1",
    ];
    const cip = async (extra: string[]) => {
      return await measure("env", [
        ...env,
        Deno.execPath(),
        "run",
        ...PERMISSION_FLAGS,
        ...denoFlags(),
        "--quiet",
        MAIN,
        "run",
        `--thin-manifest-dir=${dir}`,
        `--max-requests-per-second=${net.requestsPerSecond}`,
        ...extra,
      ]);
    };
    const parse = await cip(["--parse-only"]);
    log(
      `parse-only on the derived tree: ${(parse.wallMs / 1000).toFixed(1)} s, ` +
        `${((parse.peakRssKiB ?? 0) / 1024).toFixed(0)} MiB (part of every run's wall time)`,
    );
    const expected = expectedCopies(destinations, missing).map((k) => {
      const [registry, ref] = k.split(" ");
      const host = registry!.split("/")[0]!;
      return `${address(host)}${registry!.slice(host.length)} ${ref}`;
    });
    const floorNet = {
      requestsPerSecond: net.requestsPerSecond,
      meanLatencyMs: (net.latencyMs[0] + net.latencyMs[1]) / 2,
      inFlight: scale.threads,
    };
    let ok = true;
    const report = (run: SimRun) => {
      const r = simReport(run, floorNet, STAGING);
      for (const l of r.lines) log(l);
      ok &&= r.ok;
    };
    const minimumInput = { hosts, sources, destinations, missing, tree };
    // (b) The dry run.
    let min = simMinimum({ ...minimumInput, run: "dry-run" });
    counter.reset();
    let m = await cip([]);
    let plan = readPlan(m.stdout);
    failUnless(m.code === 0, "(b) dry run", m);
    checkPlan(plan, expected, "(b) dry run");
    failUnless(!counter.counts.has("writes"), "(b) dry run wrote", m);
    report({
      name: `(b) dry run, ${missing.size} digests missing in every region`,
      wallMs: m.wallMs,
      peakKiB: m.peakRssKiB,
      cpuMs: m.cpuMs,
      counter,
      minimum: min,
      load: await loadAverage(),
      verified: `plan lists exactly the ${num(expected.length)} expected copies; no writes`,
    });
    // (c) The promotion.
    min = simMinimum({ ...minimumInput, run: "promote" });
    counter.reset();
    m = await cip(["--confirm"]);
    failUnless(m.code === 0, "(c) promotion", m);
    plan = readPlan(m.stdout);
    checkPlan(plan, expected, "(c) promotion");
    const problems = layoutProblems(hosts, destinations);
    if (problems.length > 0) {
      throw new Error(`(c) promotion left wrong state:\n${problems.join("\n")}`);
    }
    report({
      name: `(c) promotion of the ${missing.size} digests into ${regions.length} regions`,
      wallMs: m.wallMs,
      peakKiB: m.peakRssKiB,
      cpuMs: m.cpuMs,
      counter,
      minimum: min,
      load: await loadAverage(),
      verified: `every region holds all ${num(destinations.length)} placements (tags, ` +
        "children, blobs), read from the fakes",
    });
    // (a) The no-op reconcile.
    min = simMinimum({ ...minimumInput, run: "no-op" });
    counter.reset();
    m = await cip(["--confirm"]);
    failUnless(m.code === 0, "(a) no-op", m);
    checkPlan(readPlan(m.stdout), [], "(a) no-op");
    failUnless(!counter.counts.has("writes"), "(a) no-op wrote", m);
    report({
      name: "(a) no-op reconcile of the whole tree (--confirm, nothing to do)",
      wallMs: m.wallMs,
      peakKiB: m.peakRssKiB,
      cpuMs: m.cpuMs,
      counter,
      minimum: min,
      load: await loadAverage(),
      verified: "plan is empty; no writes",
    });
    return ok;
  } finally {
    await servers.close();
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/** Throws with the end of cip's stderr unless `cond`. */
function failUnless(cond: boolean, what: string, m: { code: number; stderr: string }): void {
  if (!cond) throw new Error(`${what} failed (exit ${m.code}):\n${m.stderr.slice(-3000)}`);
}

/** The 1-minute load average, as text. */
async function loadAverage(): Promise<string> {
  try {
    return (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  Deno.exit((await benchK8sSim(quick ? QUICK_SCALE : FULL_SCALE)) ? 0 : 1);
}

/** Extra flags for the deno running cip, from CIP_BENCH_DENO_FLAGS (space-separated), e.g. V8's. */
function denoFlags(): string[] {
  return (Deno.env.get("CIP_BENCH_DENO_FLAGS") ?? "").split(" ").filter((f) => f !== "");
}
