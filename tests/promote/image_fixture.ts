/** Builds images and indexes inside a MemoryBackend for promotion tests. */
import type { MemoryBackend } from "../fakes/memory_backend.ts";

/** The media types used by the fixtures. */
const MT = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
} as const;

const enc = new TextEncoder();

/** Bytes of `n` pseudo-random-looking bytes derived from a seed string. */
export function bytesOf(seed: string, n = 1000): Uint8Array {
  const out = new Uint8Array(n);
  let x = 0;
  for (const ch of seed) x = (x * 31 + ch.charCodeAt(0)) >>> 0;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A seeded image: its digest, size and media type. */
export interface Seeded {
  digest: string;
  size: number;
  mediaType: string;
}

/**
 * Seeds an image (config + layers) into `repo`; `docker` picks schema 2 media types,
 * `odd` serialises the manifest with unusual whitespace and key order.
 */
export function seedImage(
  b: MemoryBackend,
  repo: string,
  layers: Uint8Array[],
  opts: { tags?: string[]; docker?: boolean; odd?: boolean; name?: string } = {},
): Seeded {
  const config = b.seedBlob(repo, enc.encode(JSON.stringify({ name: opts.name ?? repo })));
  const mediaType = opts.docker ? MT.dockerManifest : MT.ociManifest;
  const layerType = opts.docker
    ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
    : "application/vnd.oci.image.layer.v1.tar+gzip";
  const doc = {
    schemaVersion: 2,
    mediaType,
    config: { ...config, mediaType: "application/vnd.oci.image.config.v1+json" },
    layers: layers.map((l) => ({ ...b.seedBlob(repo, l), mediaType: layerType })),
  };
  const text = opts.odd
    ? ` {\n\t"schemaVersion" :2 ,${JSON.stringify(doc).slice(19)}\n\n`
    : JSON.stringify(doc);
  const bytes = enc.encode(text);
  const digest = b.seedManifest(repo, mediaType, bytes, opts.tags ?? []);
  return { digest, size: bytes.length, mediaType };
}

/** Seeds an index over already seeded children into `repo`. */
export function seedIndex(
  b: MemoryBackend,
  repo: string,
  children: Seeded[],
  opts: { tags?: string[]; docker?: boolean } = {},
): Seeded {
  const mediaType = opts.docker ? MT.dockerList : MT.ociIndex;
  const doc = {
    schemaVersion: 2,
    mediaType,
    manifests: children.map((c, i) => ({
      mediaType: c.mediaType,
      digest: c.digest,
      size: c.size,
      platform: { os: "linux", architecture: ["amd64", "arm64", "s390x", "ppc64le"][i % 4] },
    })),
  };
  const bytes = enc.encode(JSON.stringify(doc, null, 3));
  const digest = b.seedManifest(repo, mediaType, bytes, opts.tags ?? []);
  return { digest, size: bytes.length, mediaType };
}
