/**
 * Lays the modelled Kubernetes tree out for the simulation: which repository of which host
 * holds which synthetic digest with which tags (the staging host, every region), which digests
 * are taken out of every region ("missing"), the derived thin manifest directory naming the
 * simulated hosts, and the copy plan a correct promoter must make.
 */
import type { SubManifest } from "./k8s_tree.ts";
import { sha256 } from "../fakes/sim_store.ts";
import type { SyntheticTree } from "./synthetic_content.ts";

/** The staging host's name (every source registry of the corpus is on it). */
export const STAGING = "gcr.io";

/** A region's host name. */
export function regionHost(region: string): string {
  return `${region}-docker.pkg.dev`;
}

/** Repository -> digest -> tags, for one host. */
export type HostLayout = Map<string, Map<string, Set<string>>>;

/** One edge target of the tree, stand-in digests: where one named digest goes. */
export interface Placement {
  host: string;
  /** The registry name as the manifests write it (host and path). */
  registry: string;
  repo: string;
  image: string;
  /** The corpus digest it stands for. */
  corpus: string;
  digest: string;
  tags: readonly string[];
}

/** Every placement of the tree: the source's and each region's. */
export function placements(
  model: readonly SubManifest[],
  regions: readonly string[],
  tree: SyntheticTree,
): { sources: Placement[]; destinations: Placement[] } {
  const sources: Placement[] = [];
  const destinations: Placement[] = [];
  for (const s of model) {
    const srcPath = s.source.slice(s.source.indexOf("/") + 1);
    for (const i of s.images) {
      for (const d of i.digests) {
        const digest = tree.digests.get(d.digest)!;
        const common = { image: i.name, corpus: d.digest, digest, tags: d.tags };
        sources.push({
          host: STAGING,
          registry: s.source,
          repo: `${srcPath}/${i.name}`,
          ...common,
        });
        for (const r of regions) {
          for (const path of s.paths) {
            destinations.push({
              host: regionHost(r),
              registry: `${regionHost(r)}/${path}`,
              repo: `${path}/${i.name}`,
              ...common,
            });
          }
        }
      }
    }
  }
  return { sources, destinations };
}

/** Groups placements into what each host holds (tags of the same digest merged). */
export function layoutOf(ps: readonly Placement[]): Map<string, HostLayout> {
  const out = new Map<string, HostLayout>();
  for (const p of ps) {
    let host = out.get(p.host);
    if (!host) out.set(p.host, host = new Map());
    let repo = host.get(p.repo);
    if (!repo) host.set(p.repo, repo = new Map());
    let tags = repo.get(p.digest);
    if (!tags) repo.set(p.digest, tags = new Set());
    for (const t of p.tags) tags.add(t);
  }
  return out;
}

/**
 * `n` corpus digests taken out of every region: the first in the order of sha256("missing " +
 * corpus digest), a spread over the whole tree with indexes in their usual share.
 */
export function chooseMissing(model: readonly SubManifest[], n: number): Set<string> {
  const all = new Set<string>();
  for (const s of model) for (const i of s.images) for (const d of i.digests) all.add(d.digest);
  const keyed = [...all].map((d) => [sha256(`missing ${d}`), d] as const).sort();
  return new Set(keyed.slice(0, n).map(([, d]) => d));
}

/** The copies a correct plan lists, as `registry image@digest` keys, sorted. */
export function expectedCopies(destinations: readonly Placement[], missing: ReadonlySet<string>) {
  const keys = new Set<string>();
  for (const p of destinations) {
    if (missing.has(p.corpus)) keys.add(`${p.registry} ${p.image}@${p.digest}`);
  }
  return [...keys].sort();
}

/**
 * Writes the derived thin manifest directory into `dir`: each sub-manifest's registries
 * (staging as source, every region and path as destinations, hosts replaced by `address`),
 * and its images.yaml as the corpus writes it, each digest replaced by its stand-in.
 */
export async function writeSimTree(
  dir: string,
  corpusDir: string,
  model: readonly SubManifest[],
  regions: readonly string[],
  tree: SyntheticTree,
  address: (host: string) => string,
): Promise<void> {
  for (const s of model) {
    const lines = ["registries:", `- name: ${address(STAGING)}${s.source.slice(STAGING.length)}`];
    lines.push("  src: true");
    for (const r of regions) {
      for (const path of s.paths) {
        lines.push(`- name: ${address(regionHost(r))}/${path}`);
        if (s.serviceAccount) lines.push(`  service-account: ${s.serviceAccount}`);
      }
    }
    await Deno.mkdir(`${dir}/manifests/${s.name}`, { recursive: true });
    await Deno.mkdir(`${dir}/images/${s.name}`, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/manifests/${s.name}/promoter-manifest.yaml`,
      lines.join("\n") + "\n",
    );
    const text = await Deno.readTextFile(`${corpusDir}/images/${s.name}/images.yaml`);
    const replaced = text.replace(/sha256:[0-9a-f]{63,64}(?![0-9a-f])/g, (d) => {
      const fixed = d.length === 7 + 63 ? `${d}0` : d;
      // Digests in comments have no stand-in: they get one of their own, named by nothing.
      return tree.digests.get(fixed) ?? sha256(`unlisted ${fixed}`);
    });
    await Deno.writeTextFile(`${dir}/images/${s.name}/images.yaml`, replaced);
  }
}

/** Edges of the tree as cip counts them: one per tag (or per untagged digest) and destination. */
export function edgeCount(model: readonly SubManifest[], regions: number): number {
  let n = 0;
  for (const s of model) {
    for (const i of s.images) {
      for (const d of i.digests) n += Math.max(1, d.tags.length) * s.paths.length * regions;
    }
  }
  return n;
}
