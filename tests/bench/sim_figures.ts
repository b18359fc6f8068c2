/**
 * The figures of one simulated run, and their text: requests per host and kind against the
 * minimum, the floor that quotas and latency set, phases, peak memory and the targets of
 * issue 15 (wall within 1.2x of the floor, peak RSS under 500 MiB, requests within 1.05x of
 * the minimum).
 */
import type { Phase, RequestCounter } from "../fakes/sim_quota.ts";
import type { RequestKind } from "../fakes/sim_registry.ts";
import { type Counts, sum } from "./min_requests.ts";

/** The targets of issue 15. */
export const TARGETS = { floorFactor: 1.2, peakMiB: 500, requestFactor: 1.05 };

/** The network a floor is computed for. */
export interface FloorNetwork {
  requestsPerSecond: number;
  /** Mean round-trip latency, ms. */
  meanLatencyMs: number;
  /** Requests in flight per host (cip's --threads). */
  inFlight: number;
}

/**
 * The floor of a run making `counts` requests, in ms: hosts work in parallel, each at most at
 * its quota (requests / rate) and at most `inFlight` requests per round trip (latency bound);
 * the slowest host sets it. Returns both bounds and the host that sets the larger one.
 */
export function floorMs(counts: Counts, net: FloorNetwork) {
  let quota = 0;
  let latency = 0;
  let host = "";
  for (const h of counts.keys()) {
    const n = sum(counts, h);
    const q = net.requestsPerSecond > 0 ? (n / net.requestsPerSecond) * 1000 : 0;
    const l = Math.ceil(n / net.inFlight) * net.meanLatencyMs;
    if (Math.max(q, l) > Math.max(quota, latency)) host = h;
    quota = Math.max(quota, q);
    latency = Math.max(latency, l);
  }
  return { quota, latency, floor: Math.max(quota, latency), host };
}

/** A measured run of cip in the simulation. */
export interface SimRun {
  name: string;
  wallMs: number;
  peakKiB: number | null;
  /** cip's CPU time (user + system), when measured: on a small machine it can set the wall. */
  cpuMs?: number | null;
  counter: RequestCounter;
  minimum: Counts;
  /** What was checked (plan, copies), said in one line. */
  verified: string;
  /** The machine's load averages (1, 5, 15 min) when the run ended. */
  load: string;
}

/** Formats a number with thousands separators. */
export function num(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function ratio(a: number, b: number): string {
  return b === 0 ? (a === 0 ? "1.00x" : "inf") : `${(a / b).toFixed(2)}x`;
}

function met(ok: boolean): string {
  return ok ? "met" : "NOT met";
}

/** How late the simulator's answers were, mean and max (a sign of a busy machine). */
function lateness(c: RequestCounter): string {
  const mean = c.late.count === 0 ? 0 : c.late.sum / c.late.count;
  return `${mean.toFixed(1)} ms on average (at most ${c.late.max.toFixed(0)} ms)`;
}

/** Per kind: cip's count and the minimum, for one host or summed over `hosts`. */
function byKind(counts: Counts, hosts: readonly string[]): Map<RequestKind, number> {
  const out = new Map<RequestKind, number>();
  for (const h of hosts) {
    for (const [k, n] of counts.get(h) ?? []) out.set(k, (out.get(k) ?? 0) + n);
  }
  return out;
}

/**
 * The report of one run as lines, and whether it met every target. `staging` names the source
 * host; every other host is a region, shown per host on average (they are alike) and at most.
 */
export function simReport(run: SimRun, net: FloorNetwork, staging: string) {
  const cip = run.counter.total();
  const hosts = [...new Set([...cip.keys(), ...run.minimum.keys()])].sort();
  const regions = hosts.filter((h) => h !== staging);
  const total = sum(cip);
  const least = sum(run.minimum);
  const floor = floorMs(run.minimum, net);
  const own = floorMs(cip, net);
  const peakMiB = run.peakKiB === null ? null : run.peakKiB / 1024;
  const throttled = [...run.counter.throttled.values()].reduce((a, b) => a + b, 0);
  const ok = {
    floor: run.wallMs <= TARGETS.floorFactor * floor.floor,
    peak: peakMiB !== null && peakMiB < TARGETS.peakMiB,
    requests: total <= TARGETS.requestFactor * least,
  };
  const lines = [
    `${run.name}: ${run.verified}`,
    `  wall ${(run.wallMs / 1000).toFixed(1)} s; floor ${(floor.floor / 1000).toFixed(1)} s ` +
    `(quota ${(floor.quota / 1000).toFixed(1)} s, latency ${
      (floor.latency / 1000).toFixed(1)
    } s, ` +
    `set by ${floor.host}): ${ratio(run.wallMs, floor.floor)} the floor ` +
    `(target <= ${TARGETS.floorFactor}x: ${met(ok.floor)})`,
    `  cip's own requests at the quota would take ${(own.floor / 1000).toFixed(1)} s ` +
    `(set by ${own.host}): the run took ${ratio(run.wallMs, own.floor)} that; cip used ` +
    `${run.cpuMs == null ? "unknown" : `${(run.cpuMs / 1000).toFixed(1)} s of`} CPU`,
    `  requests ${num(total)} vs minimum ${num(least)}: ${ratio(total, least)} ` +
    `(target <= ${TARGETS.requestFactor}x: ${met(ok.requests)}); 429 answers: ${num(throttled)}`,
    `  peak RSS ${peakMiB === null ? "unknown" : `${peakMiB.toFixed(0)} MiB`} ` +
    `(target < ${TARGETS.peakMiB} MiB: ${met(ok.peak)}); load average at the end ${run.load}; ` +
    `answers left the fakes ${lateness(run.counter)} later than their latency`,
    "  | kind | staging cip | staging min | per region cip (mean / max) | per region min |",
    "  | --- | ---: | ---: | ---: | ---: |",
  ];
  const kinds = new Set<RequestKind>();
  for (const c of [cip, run.minimum]) {
    for (const m of c.values()) for (const k of m.keys()) kinds.add(k);
  }
  for (const k of [...kinds].sort()) {
    const perRegion = regions.map((h) => cip.get(h)?.get(k) ?? 0);
    const mean = perRegion.length ? perRegion.reduce((a, b) => a + b, 0) / perRegion.length : 0;
    lines.push(
      `  | ${k} | ${num(cip.get(staging)?.get(k) ?? 0)} | ${
        num(run.minimum.get(staging)?.get(k) ?? 0)
      } | ` +
        `${num(mean)} / ${num(Math.max(0, ...perRegion))} | ` +
        `${
          num(regions.length ? (byKind(run.minimum, regions).get(k) ?? 0) / regions.length : 0)
        } |`,
    );
  }
  lines.push(...phaseLines(run.counter, staging));
  return { lines, ok: ok.floor && ok.peak && ok.requests };
}

/**
 * When each phase began, how long it lasted, what it asked of the staging host and of the
 * regions, and the request rate the busiest host of the phase kept (against its quota).
 */
function phaseLines(counter: RequestCounter, staging: string): string[] {
  const out = ["  phases (by the first request to a region, and the first write):"];
  const phases: Phase[] = ["before destinations", "destinations", "writes"];
  const end = Math.max(0, ...[...counter.span.values()].map((s) => s.last));
  const present = phases.filter((p) => counter.counts.has(p));
  present.forEach((p, i) => {
    const byHost = counter.counts.get(p)!;
    const start = counter.phaseStart.get(p) ?? 0;
    const next = present[i + 1];
    const stop = next === undefined ? end : counter.phaseStart.get(next) ?? end;
    const seconds = Math.max(0.001, (stop - start) / 1000);
    const describe = (hosts: string[]) => {
      const k = new Map<RequestKind, number>();
      for (const h of hosts) {
        for (const [kind, n] of byHost.get(h) ?? []) k.set(kind, (k.get(kind) ?? 0) + n);
      }
      return [...k].sort().map(([kind, n]) => `${kind} ${num(n)}`).join(", ") || "nothing";
    };
    const perHost = [...byHost].map(([h, k]) => [h, [...k.values()].reduce((a, b) => a + b, 0)]);
    const [busiest, most] = perHost.reduce((a, b) => (b[1]! > a[1]! ? b : a), ["-", 0]);
    const regions = [...byHost.keys()].filter((h) => h !== staging);
    out.push(
      `    ${p}, ${(start / 1000).toFixed(1)}-${(stop / 1000).toFixed(1)} s: staging ` +
        `${describe([staging])}; all regions ${describe(regions)}; busiest host ${busiest} at ` +
        `${(Number(most) / seconds).toFixed(1)} requests/s`,
    );
  });
  return out;
}
