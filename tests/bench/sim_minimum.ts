/**
 * The API minimum of each run of the Kubernetes simulation, from the state of the fakes before
 * the run (see min_requests.ts for the rules):
 * - no-op reconcile: one tags/list per destination repository. Nothing of the source: every
 *   destination already holds every digest. (The brief's definition adds one tags/list per
 *   source repository; that is not a lower bound, cip itself reads no source in a no-op.)
 * - dry run with digests missing: the same, plus what the plan needs from the source to tell
 *   a copy from a lost image and to show an index's children: one GET per missing digest, or
 *   one tags/list per source repository holding one plus a GET per missing index, whichever
 *   is fewer;
 * - promotion of the missing digests: one tags/list per destination repository (the source is
 *   read by the GETs that copying needs anyway), then the copies.
 */
import type { SimHost } from "../fakes/sim_servers.ts";
import {
  type CopyJob,
  type Counts,
  type ManifestPut,
  type MinimumInput,
  minimumRequests,
} from "./min_requests.ts";
import { layoutOf, type Placement, STAGING } from "./k8s_sim_tree.ts";
import type { SyntheticTree } from "./synthetic_content.ts";

/** What the minimum of a simulated run is computed from. */
export interface SimMinimumInput {
  hosts: ReadonlyMap<string, SimHost>;
  sources: readonly Placement[];
  destinations: readonly Placement[];
  /** Corpus digests missing in every region. */
  missing: ReadonlySet<string>;
  tree: SyntheticTree;
  run: "no-op" | "dry-run" | "promote";
}

/** The minimum requests of one run, per host and kind. */
export function simMinimum(o: SimMinimumInput): Counts {
  const listings = new Map<string, number>();
  for (const [host, layout] of layoutOf(o.destinations)) listings.set(host, layout.size);
  const missingDigests = new Set([...o.missing].map((d) => o.tree.digests.get(d)!));
  const manifests = o.tree.store.manifests;
  if (o.run !== "promote") {
    const indexes = [...missingDigests].filter((d) => manifests.get(d)!.children.length > 0);
    const repos = new Set(o.sources.filter((p) => o.missing.has(p.corpus)).map((p) => p.repo));
    const byListing = repos.size + indexes.length;
    const extra: MinimumInput["extra"] = o.run === "no-op"
      ? []
      : missingDigests.size <= byListing
      ? [{ host: STAGING, kind: "manifest GET", count: missingDigests.size }]
      : [
        { host: STAGING, kind: "tags/list", count: repos.size },
        { host: STAGING, kind: "manifest GET", count: indexes.length },
      ];
    return minimumRequests({ listings, sourceHost: STAGING, copies: [], extra });
  }
  const wanted = layoutOf(o.destinations.filter((p) => missingDigests.has(p.digest)));
  const copies: CopyJob[] = [];
  const heldOnHost = new Map<string, Set<string>>();
  for (const [host, layout] of wanted) {
    const state = o.hosts.get(host)!.state;
    const held = new Set<string>();
    for (const r of state.repos.values()) for (const d of r.manifests) held.add(d);
    heldOnHost.set(host, held);
    for (const [repo, digests] of layout) {
      const r = state.repos.get(repo);
      const puts: ManifestPut[] = [];
      const queued = new Set<string>();
      for (const [digest, tags] of digests) {
        const m = manifests.get(digest)!;
        for (const c of m.children) {
          if (r?.manifests.has(c) || queued.has(c)) continue;
          queued.add(c);
          puts.push({ digest: c, blobs: manifests.get(c)!.blobs, tags: 0 });
        }
        puts.push({ digest, blobs: m.blobs, tags: tags.size });
      }
      copies.push({ host, repo, exists: (r?.manifests.size ?? 0) > 0, manifests: puts });
    }
  }
  const owners = o.tree.store.owners;
  return minimumRequests({
    listings,
    sourceHost: STAGING,
    copies,
    knownOnHost: (host, blob) =>
      (owners.get(blob) ?? []).some((m) => heldOnHost.get(host)?.has(m) ?? false),
    presentIn: (host, repo, blob) => o.hosts.get(host)!.state.holdsBlob(repo, blob),
  });
}
