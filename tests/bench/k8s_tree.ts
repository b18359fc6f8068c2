/**
 * The real Kubernetes thin manifest tree (testdata/corpus) as a model for the simulation: its
 * sub-manifests, each with a source, destination paths (one per region) and images, and the
 * rule deciding which of its digests are image indexes and which digests are their children.
 *
 * The rule, documented once here. The corpus lists no tagless digests: every digest is tagged,
 * and a multi-platform image is published twice, as an index (`kube-apiserver:v1.27.0`) and as
 * its platforms in sibling repositories (`kube-apiserver-amd64:v1.27.0`, `-arm`, ...). So:
 * - a digest is an image (single platform) when its image name or one of its tags names an
 *   architecture (a `-`, `_` or `.` separated part equal to amd64, arm, arm64, ppc64le, s390x,
 *   386, armhf or windows), in any place it is listed; every other digest is an index;
 * - an index's children are the digests that its sibling images `<image>-<arch>` of the same
 *   sub-manifest carry under one of its tags (the real layout: the per-platform tags point at
 *   the index's children), in architecture order; an index with no such sibling gets two
 *   children of its own (linux/amd64 and linux/arm64), which no manifest names;
 * - children are stored untagged next to their index, in the index's repository (and each
 *   named child also tagged in its own repository, as listed).
 * The one digest of the corpus that is not valid (63 hex digits) is read as if a `0` ended it,
 * so that it is promoted like the others.
 */
import { Logger } from "../../src/log.ts";
import { loadManifests } from "../../src/manifest/mod.ts";

/** A digest of an image and its tags, as listed (tags of repeated entries merged). */
export interface ListedDigest {
  digest: string;
  tags: string[];
}

/** One sub-manifest: staging source, destination paths below every region, images. */
export interface SubManifest {
  name: string;
  /** The source registry name, e.g. `gcr.io/k8s-staging-kubernetes`. */
  source: string;
  /** Destination paths below each region's host, e.g. `k8s-artifacts-prod/images/kubernetes`. */
  paths: string[];
  /** The service account of its destinations. */
  serviceAccount?: string;
  images: { name: string; digests: ListedDigest[] }[];
}

/** The regions of the corpus (20), plus the two the simulation adds to reach 22. */
export const EXTRA_REGIONS = ["me-central1", "africa-south1"];

/** The architectures that mark a single-platform image, in child order. */
export const ARCHES = ["amd64", "arm", "arm64", "ppc64le", "s390x", "386", "armhf", "windows"];

const ARCH_PART = new RegExp(`(^|[-_./])(${ARCHES.join("|")})($|[-_./])`);

/** Pads a 63-hex-digit digest with a `0` (the corpus's one invalid digest); others unchanged. */
export function fixDigestText(text: string): string {
  return text.replace(/sha256:([0-9a-f]{63})(?![0-9a-f])/g, "sha256:$10");
}

/**
 * Reads the corpus (only the sub-manifests `pick` accepts) into the model, with its invalid
 * digest fixed; also returns the regions its destinations name, sorted.
 */
export async function loadCorpusModel(
  corpusDir: string,
  pick: (name: string) => boolean = () => true,
): Promise<{ model: SubManifest[]; regions: string[] }> {
  const tmp = await Deno.makeTempDir({ prefix: "cip-sim-corpus-" });
  try {
    for await (const e of Deno.readDir(`${corpusDir}/manifests`)) {
      if (!pick(e.name)) continue;
      for (
        const [sub, file] of [["manifests", "promoter-manifest.yaml"], ["images", "images.yaml"]]
      ) {
        await Deno.mkdir(`${tmp}/${sub}/${e.name}`, { recursive: true });
        const text = await Deno.readTextFile(`${corpusDir}/${sub}/${e.name}/${file}`);
        await Deno.writeTextFile(`${tmp}/${sub}/${e.name}/${file}`, fixDigestText(text));
      }
    }
    const { manifests } = await loadManifests({ thinDir: tmp }, new Logger("error"));
    const regions = new Set<string>();
    const model: SubManifest[] = manifests.map((m) => {
      const name = m.file.split("/").at(-2)!;
      const source = m.registries.find((r) => r.src)!.name;
      const paths = new Set<string>();
      let serviceAccount: string | undefined;
      for (const r of m.registries.filter((r) => !r.src)) {
        const g = /^([a-z0-9-]+)-docker\.pkg\.dev\/(.+)$/.exec(r.name);
        if (!g) {
          throw new Error(`${name}: destination ${r.name} is not an Artifact Registry region`);
        }
        regions.add(g[1]!);
        paths.add(g[2]!);
        serviceAccount ??= r.serviceAccount;
      }
      const images = m.images.map((i) => ({
        name: i.name,
        digests: i.digests.map((d) => ({ digest: d.digest, tags: [...d.tags] })),
      }));
      const sub: SubManifest = { name, source, paths: [...paths].sort(), images };
      if (serviceAccount !== undefined) sub.serviceAccount = serviceAccount;
      return sub;
    });
    model.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    return { model, regions: [...regions].sort() };
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/** The architecture a name or tag names, if any. */
export function archOf(text: string): string | undefined {
  return ARCH_PART.exec(text)?.[2];
}

/** What the rule decides: the indexes, and each index's named children (maybe none). */
export interface Roles {
  /** Index digest -> its children among the corpus's digests ([] = two of its own). */
  indexes: Map<string, string[]>;
  /** Every other digest: single-platform images, with the architecture they name, if any. */
  images: Map<string, string | undefined>;
}

/** Applies the rule (see the file's comment) to a model. */
export function decideRoles(model: readonly SubManifest[]): Roles {
  const arch = new Map<string, string | undefined>();
  for (const s of model) {
    for (const i of s.images) {
      for (const d of i.digests) {
        const a = archOf(i.name) ?? d.tags.map(archOf).find((x) => x !== undefined);
        if (a !== undefined || !arch.has(d.digest)) arch.set(d.digest, a ?? arch.get(d.digest));
      }
    }
  }
  const indexes = new Map<string, string[]>();
  const images = new Map<string, string | undefined>();
  for (const [d, a] of arch) if (a !== undefined) images.set(d, a);
  for (const s of model) {
    const byName = new Map(s.images.map((i) => [i.name, i]));
    for (const i of s.images) {
      for (const d of i.digests) {
        if (images.has(d.digest)) continue;
        const children: string[] = [];
        for (const a of ARCHES) {
          const sibling = byName.get(`${i.name}-${a}`);
          const kid = sibling?.digests.find((x) => x.tags.some((t) => d.tags.includes(t)));
          if (kid && images.has(kid.digest) && !children.includes(kid.digest)) {
            children.push(kid.digest);
          }
        }
        const known = indexes.get(d.digest);
        if (known === undefined || (known.length === 0 && children.length > 0)) {
          indexes.set(d.digest, children);
        }
      }
    }
  }
  return { indexes, images };
}
