/**
 * Honest figures for the promotion benchmark: what a promotion copied, read back from the
 * destination with raw fetch (every tag's digest, every child, every blob) before any time is
 * reported; and the requests a run made, by kind, against the API minimum of its workload.
 */
import { digestOf } from "../fixtures/images.ts";
import type { Served } from "../integration/logged_registry.ts";
import { type RequestKind, requestKind } from "../fakes/sim_registry.ts";
import { type Counts, minimumRequests, sum } from "./min_requests.ts";
import { ACCEPT, type BenchImage, blobsByRepo, copyJobs } from "./promote_images.ts";

/** A workload of the benchmark and the state of the destination before it. */
export interface Workload {
  /** What is copied (empty for a no-op rerun). */
  copies: readonly BenchImage[];
  /** What the destination already holds under the same prefix. */
  present: readonly BenchImage[];
  /** Every image the manifest names (its repositories are listed). */
  named: readonly BenchImage[];
}

/**
 * The API minimum of a workload, with hosts "src" and "dst": one listing per destination
 * repository the manifest names (nothing of the source in a no-op: the destination holds
 * everything; the same definition as the Kubernetes simulation's); on a registry without the
 * GCR/AR extension (`extension` false) also one manifest HEAD per wanted tag its listing shows,
 * since a plain listing names tags but not their digests; copies as min_requests.ts counts
 * them.
 */
export function workloadMinimum(w: Workload, dstPrefix: string, extension: boolean): Counts {
  const repos = new Set(w.named.map((b) => b.repo));
  const listings = new Map([["dst", repos.size]]);
  const held = blobsByRepo(w.present);
  const anywhere = new Set([...held.values()].flatMap((s) => [...s]));
  const toDst = (r: string) => `${dstPrefix}/${r.slice("bench/".length)}`;
  const presentIn = new Map([...held].map(([r, s]) => [toDst(r), s]));
  const existing = new Set(w.present.map((b) => toDst(b.repo)));
  return minimumRequests({
    listings,
    sourceHost: "src",
    copies: copyJobs(w.copies, "dst", dstPrefix, false).map((j) => ({
      ...j,
      exists: existing.has(j.repo),
    })),
    knownOnHost: (_h, blob) => anywhere.has(blob),
    presentIn: (_h, repo, blob) => presentIn.get(repo)?.has(blob) ?? false,
    extra: extension ? [] : [{ host: "dst", kind: "manifest HEAD", count: w.present.length }],
  });
}

/** Requests of a docker-registry log window by kind. */
export function kindsOf(s: Served): Map<RequestKind, number> {
  const out = new Map<RequestKind, number>();
  for (const l of s.lines) {
    const k = requestKind(l.method, new URL(l.uri, "http://registry"));
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

/** One line: total against the minimum, and per kind where they differ. */
export function againstMinimum(actual: Counts, minimum: Counts): string {
  const total = sum(actual);
  const least = sum(minimum);
  const kinds = new Set<RequestKind>();
  for (const c of [actual, minimum]) {
    for (const m of c.values()) for (const k of m.keys()) kinds.add(k);
  }
  const diffs: string[] = [];
  for (const host of ["src", "dst"]) {
    for (const k of [...kinds].sort()) {
      const a = actual.get(host)?.get(k) ?? 0;
      const m = minimum.get(host)?.get(k) ?? 0;
      if (a !== m) diffs.push(`${host} ${k} ${a} (min ${m})`);
    }
  }
  const ratio = least === 0 ? "-" : `${(total / least).toFixed(2)}x`;
  const met = total <= 1.05 * least ? "met" : "NOT met";
  return `${total} requests vs minimum ${least}: ${ratio} (target <= 1.05x: ${met})` +
    (diffs.length > 0 ? `; differs: ${diffs.join(", ")}` : "");
}

/**
 * Reads every image back from the registry at `url` under `prefix` (instead of `bench`) with
 * raw fetch: each tag must resolve to its digest with bytes of that digest, each child and blob
 * must be there. Throws naming the first wrong one.
 */
export async function verifyCopied(
  url: string,
  prefix: string,
  images: readonly BenchImage[],
): Promise<void> {
  const get = async (repo: string, ref: string, want: string) => {
    const res = await fetch(`${url}/v2/${repo}/manifests/${ref}`, { headers: { Accept: ACCEPT } });
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200 || digestOf(bytes) !== want) {
      throw new Error(`${url}/${repo}:${ref} is ${res.status} ${digestOf(bytes)}, not ${want}`);
    }
  };
  const blob = async (repo: string, digest: string) => {
    const res = await fetch(`${url}/v2/${repo}/blobs/${digest}`, { method: "HEAD" });
    await res.body?.cancel();
    if (res.status !== 200) throw new Error(`${url}/${repo} lacks blob ${digest}: ${res.status}`);
  };
  let next = 0;
  const lane = async () => {
    while (next < images.length) {
      const b = images[next++]!;
      const repo = `${prefix}/${b.repo.slice("bench/".length)}`;
      await get(repo, b.tag, b.digest);
      for (const i of b.image ? [b.image] : b.index!.children) {
        if (b.index) await get(repo, i.manifest.digest, i.manifest.digest);
        for (const d of [i.config.digest, ...i.layers.map((l) => l.digest)]) await blob(repo, d);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
}
