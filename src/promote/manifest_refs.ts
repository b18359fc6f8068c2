/** What a manifest references, as promotion copies it: child manifests, and blobs to copy. */
import {
  type Descriptor,
  isIndexMediaType,
  isSchema1MediaType,
  manifestBlobs,
  type ManifestBytes,
  manifestChildren,
  sha256Digest,
} from "../registry/mod.ts";

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
  /** Blobs to copy: the config and the layers, foreign layers left out. */
  blobs: Descriptor[];
}

/** Whether a media type is a manifest list or OCI index. */
export function isIndex(mediaType: string | undefined): boolean {
  return isIndexMediaType(mediaType);
}

/** Whether bytes served for a digest are the right ones (schema 1 signatures excepted). */
export function bytesMatchDigest(bytes: Uint8Array, mediaType: string, digest: string): boolean {
  return isSchema1MediaType(mediaType) || sha256Digest(bytes) === digest;
}

/** Parses a manifest and lists what must be in place before it is stored; throws RegistryError. */
export function manifestRefs(m: ManifestBytes): ManifestRefs {
  return {
    manifests: manifestChildren(m),
    blobs: manifestBlobs(m).filter((d) => !FOREIGN_TYPES.has(d.mediaType)),
  };
}
