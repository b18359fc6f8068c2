/** What a manifest references (pure): child manifests of an index, blobs of an image. */
import { createHash } from "node:crypto";
import type { Descriptor } from "../registry/api.ts";

/** The media types of manifest lists and OCI indexes. */
export const INDEX_TYPES: ReadonlySet<string> = new Set([
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
]);

/** The Docker schema 1 media types, whose digest is not always the SHA-256 of the bytes. */
const SCHEMA1_TYPES: ReadonlySet<string> = new Set([
  "application/vnd.docker.distribution.manifest.v1+prettyjws",
  "application/vnd.docker.distribution.manifest.v1+json",
]);

/** Layers that registries do not hold (Windows base layers): never copied. */
const FOREIGN_TYPES: ReadonlySet<string> = new Set([
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
  "application/vnd.oci.image.layer.nondistributable.v1.tar",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
]);

/** The content a manifest needs in place before it can be stored. */
export interface ManifestRefs {
  /** Child manifests (of an index or manifest list). */
  manifests: Descriptor[];
  /** Blobs (config, layers, an OCI subject's blobs are not included). */
  blobs: Descriptor[];
}

/** Thrown when manifest bytes cannot be understood. */
export class ManifestFormatError extends Error {
  /** `message` says which manifest and what is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "ManifestFormatError";
  }
}

/** Whether a media type is a manifest list or OCI index. */
export function isIndex(mediaType: string | undefined): boolean {
  return mediaType !== undefined && INDEX_TYPES.has(mediaType);
}

/** The SHA-256 digest of bytes, `sha256:<hex>`. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** Whether bytes served for a digest are the right ones (schema 1 signatures excepted). */
export function bytesMatchDigest(bytes: Uint8Array, mediaType: string, digest: string): boolean {
  if (SCHEMA1_TYPES.has(mediaType)) return true;
  return sha256Digest(bytes) === digest;
}

/** Parses a manifest's bytes and lists the manifests and blobs it references. */
export function manifestRefs(bytes: Uint8Array, mediaType: string, what: string): ManifestRefs {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new ManifestFormatError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new ManifestFormatError(`${what} is not a JSON object`);
  }
  const m = doc as Record<string, unknown>;
  const type = typeof m.mediaType === "string" ? m.mediaType : mediaType;
  if (isIndex(type) || (Array.isArray(m.manifests) && !("layers" in m))) {
    return { manifests: descriptors(m.manifests, `${what} manifests`), blobs: [] };
  }
  if (SCHEMA1_TYPES.has(type) || Array.isArray(m.fsLayers)) {
    const layers = Array.isArray(m.fsLayers) ? m.fsLayers : [];
    const blobs = layers.map((l, i) => {
      const sum = (l as Record<string, unknown> | null)?.blobSum;
      if (typeof sum !== "string") {
        throw new ManifestFormatError(`${what} fsLayers[${i}] has no blobSum`);
      }
      return { mediaType: "", digest: sum, size: -1 };
    });
    return { manifests: [], blobs: unique(blobs) };
  }
  const blobs: Descriptor[] = [];
  if (m.config !== undefined) blobs.push(...descriptors([m.config], `${what} config`));
  if (m.layers !== undefined) {
    blobs.push(
      ...descriptors(m.layers, `${what} layers`).filter((d) => !FOREIGN_TYPES.has(d.mediaType)),
    );
  }
  return { manifests: [], blobs: unique(blobs) };
}

/** Validates a list of descriptors. */
function descriptors(list: unknown, what: string): Descriptor[] {
  if (!Array.isArray(list)) throw new ManifestFormatError(`${what} is not a list`);
  return list.map((d, i) => {
    const r = d as Record<string, unknown> | null;
    if (
      typeof r !== "object" || r === null || typeof r.digest !== "string" ||
      typeof r.size !== "number"
    ) {
      throw new ManifestFormatError(`${what}[${i}] is not a descriptor with digest and size`);
    }
    return {
      mediaType: typeof r.mediaType === "string" ? r.mediaType : "",
      digest: r.digest,
      size: r.size,
    };
  });
}

function unique(list: Descriptor[]): Descriptor[] {
  const seen = new Set<string>();
  return list.filter((d) => !seen.has(d.digest) && seen.add(d.digest));
}
