/**
 * Synthetic manifests standing in for the corpus's digests: a sha256 cannot be matched, so each
 * corpus digest is replaced by the digest of a small manifest made for it (an image of one
 * config and one layer, or an index of its children, as `decideRoles` decided), half in Docker's
 * media types and half in OCI's. Deterministic: the same corpus gives the same digests.
 */
import { ContentStore, sha256, type SimManifest } from "../fakes/sim_store.ts";
import type { Roles } from "./k8s_tree.ts";

const DOCKER = {
  image: "application/vnd.docker.distribution.manifest.v2+json",
  index: "application/vnd.docker.distribution.manifest.list.v2+json",
  config: "application/vnd.docker.container.image.v1+json",
  layer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
};
const OCI = {
  image: "application/vnd.oci.image.manifest.v1+json",
  index: "application/vnd.oci.image.index.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
};

const encoder = new TextEncoder();

/** Docker's media types for digests ending in an even hex digit, OCI's for odd ones. */
function family(seed: string) {
  return parseInt(seed.slice(-1), 16) % 2 === 0 ? DOCKER : OCI;
}

/** Makes (and stores) a one-layer image for `seed` on `arch`. */
export function makeSimImage(store: ContentStore, seed: string, arch: string): SimManifest {
  const f = family(seed);
  const layer = encoder.encode(`layer of ${seed}\n`.repeat(16));
  const layerDigest = store.addBlob(layer);
  const config = encoder.encode(JSON.stringify({
    architecture: arch === "windows" ? "amd64" : arch,
    os: arch === "windows" ? "windows" : "linux",
    rootfs: { type: "layers", diff_ids: [layerDigest] },
    config: { Labels: { "sim.stands-for": seed } },
  }));
  const configDigest = store.addBlob(config);
  const bytes = encoder.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: f.image,
    config: { mediaType: f.config, digest: configDigest, size: config.length },
    layers: [{ mediaType: f.layer, digest: layerDigest, size: layer.length }],
  }));
  return store.addManifest({
    digest: sha256(bytes),
    mediaType: f.image,
    bytes,
    children: [],
    blobs: [configDigest, layerDigest],
    size: bytes.length + config.length + layer.length,
  });
}

/** Makes (and stores) an index of `children` (already stored) for `seed`. */
export function makeSimIndex(
  store: ContentStore,
  seed: string,
  children: readonly SimManifest[],
): SimManifest {
  const f = family(seed);
  const bytes = encoder.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: f.index,
    manifests: children.map((c) => {
      const cfg = JSON.parse(new TextDecoder().decode(store.blobs.get(c.blobs[0]!)!));
      return {
        mediaType: c.mediaType,
        digest: c.digest,
        size: c.bytes.length,
        platform: { architecture: cfg.architecture, os: cfg.os },
      };
    }),
    annotations: { "sim.stands-for": seed },
  }));
  return store.addManifest({
    digest: sha256(bytes),
    mediaType: f.index,
    bytes,
    children: children.map((c) => c.digest),
    blobs: [],
    size: 0,
  });
}

/** The synthetic stand-ins of a corpus and what they add up to. */
export interface SyntheticTree {
  store: ContentStore;
  /** Corpus digest -> synthetic digest. */
  digests: Map<string, string>;
  counts: {
    /** Distinct digests the manifests name. */
    named: number;
    /** Of them, indexes. */
    indexes: number;
    /** Indexes whose children are named digests (of sibling repositories). */
    indexesWithNamedChildren: number;
    /** Children made for indexes with no named sibling (named by no manifest). */
    ownChildren: number;
    /** Index -> child links. */
    childEdges: number;
    /** Distinct manifests in the store. */
    manifests: number;
    blobs: number;
  };
}

/** Makes the stand-in of every digest of `roles`. */
export function buildSyntheticTree(roles: Roles): SyntheticTree {
  const store = new ContentStore();
  const digests = new Map<string, string>();
  const made = new Map<string, SimManifest>();
  for (const d of [...roles.images.keys()].sort()) {
    const m = makeSimImage(store, d, roles.images.get(d) ?? "amd64");
    made.set(d, m);
    digests.set(d, m.digest);
  }
  let ownChildren = 0;
  let childEdges = 0;
  let withNamed = 0;
  for (const d of [...roles.indexes.keys()].sort()) {
    const named = roles.indexes.get(d)!;
    const children = named.length > 0
      ? named.map((c) => made.get(c)!)
      : ["amd64", "arm64"].map((a) => makeSimImage(store, `${d}/${a}`, a));
    if (named.length > 0) withNamed++;
    else ownChildren += children.length;
    childEdges += children.length;
    digests.set(d, makeSimIndex(store, d, children).digest);
  }
  return {
    store,
    digests,
    counts: {
      named: digests.size,
      indexes: roles.indexes.size,
      indexesWithNamedChildren: withNamed,
      ownChildren,
      childEdges,
      manifests: store.manifests.size,
      blobs: store.blobs.size,
    },
  };
}
