/**
 * The fewest requests the registry API allows for a piece of work, per host and kind of
 * request (pure arithmetic; the benchmarks compare cip's counts with it). The rules:
 * - reading: one tags/list per repository read (the GCR/AR extension answers in one page; a
 *   plain registry needs one per 1,000 tags), given by the caller;
 * - source: one GET per distinct manifest copied and per distinct blob sent (once for all
 *   destinations: bytes read once can be sent everywhere);
 * - destination, per blob a manifest to put needs in a repository, in the order of the work:
 *   nothing when the repository already has it from this run; one mount POST when another
 *   repository of the same host holds it (known from this run's writes or from the listings,
 *   `knownOnHost`); otherwise, in a repository that exists, one HEAD (a blob that might be
 *   there is checked) and, when absent, start and finish an upload (POST + PUT); in a
 *   repository the plan saw absent or empty, the upload alone;
 * - one manifest PUT per tag, or one by digest for an untagged manifest.
 */
import type { RequestKind } from "../fakes/sim_registry.ts";

/** A manifest to store in a repository: its blobs and how many PUTs it takes. */
export interface ManifestPut {
  digest: string;
  blobs: readonly string[];
  /** Tags it must carry (none: stored by digest). */
  tags: number;
}

/** What one repository of a destination receives, manifests in writing order (children first). */
export interface CopyJob {
  host: string;
  repo: string;
  /** Whether the plan saw the repository holding anything (else nothing in it needs a HEAD). */
  exists: boolean;
  manifests: readonly ManifestPut[];
}

/** The input of `minimumRequests`. */
export interface MinimumInput {
  /** tags/list requests per host (repositories to read). */
  listings: ReadonlyMap<string, number>;
  /** The host copies read from. */
  sourceHost: string;
  copies: readonly CopyJob[];
  /** Whether, before the run, a repository of `host` holds the blob (a mount source). */
  knownOnHost?: (host: string, blob: string) => boolean;
  /** Whether, before the run, `repo` of `host` holds the blob (its HEAD answers 200). */
  presentIn?: (host: string, repo: string, blob: string) => boolean;
  /** More requests the caller knows are needed (e.g. source GETs of indexes in a dry run). */
  extra?: readonly { host: string; kind: RequestKind; count: number }[];
}

/** Requests per host and kind. */
export type Counts = Map<string, Map<RequestKind, number>>;

/** Adds `n` requests of `kind` to `host` in `counts`. */
export function add(counts: Counts, host: string, kind: RequestKind, n = 1): void {
  if (n === 0) return;
  let byKind = counts.get(host);
  if (!byKind) counts.set(host, byKind = new Map());
  byKind.set(kind, (byKind.get(kind) ?? 0) + n);
}

/** The sum of a host's counts (or of every host's when `host` is absent). */
export function sum(counts: Counts, host?: string): number {
  let n = 0;
  for (const [h, byKind] of counts) {
    if (host !== undefined && h !== host) continue;
    for (const v of byKind.values()) n += v;
  }
  return n;
}

/** The minimum requests for `input`, per host and kind (see the file's comment). */
export function minimumRequests(input: MinimumInput): Counts {
  const counts: Counts = new Map();
  for (const [host, n] of input.listings) add(counts, host, "tags/list", n);
  const manifestsRead = new Set<string>();
  const blobsRead = new Set<string>();
  const onHost = new Map<string, Set<string>>();
  const inRepo = new Map<string, Set<string>>();
  for (const job of input.copies) {
    let hostBlobs = onHost.get(job.host);
    if (!hostBlobs) onHost.set(job.host, hostBlobs = new Set());
    const repoKey = `${job.host}/${job.repo}`;
    let repoBlobs = inRepo.get(repoKey);
    if (!repoBlobs) inRepo.set(repoKey, repoBlobs = new Set());
    for (const m of job.manifests) {
      manifestsRead.add(m.digest);
      for (const b of m.blobs) {
        if (repoBlobs.has(b)) continue;
        repoBlobs.add(b);
        if (hostBlobs.has(b) || input.knownOnHost?.(job.host, b)) {
          add(counts, job.host, "mount POST");
        } else if (job.exists && input.presentIn?.(job.host, job.repo, b)) {
          add(counts, job.host, "blob HEAD");
        } else {
          if (job.exists) add(counts, job.host, "blob HEAD");
          add(counts, job.host, "upload POST");
          add(counts, job.host, "upload PUT");
          blobsRead.add(b);
        }
        hostBlobs.add(b);
      }
      add(counts, job.host, "manifest PUT", Math.max(1, m.tags));
    }
  }
  add(counts, input.sourceHost, "manifest GET", manifestsRead.size);
  add(counts, input.sourceHost, "blob GET", blobsRead.size);
  for (const e of input.extra ?? []) add(counts, e.host, e.kind, e.count);
  return counts;
}
