/** What a manifest references, as promotion copies it: child manifests, and blobs to copy. */
import {
  type Descriptor,
  isIndexMediaType,
  isSchema1MediaType,
  type ManifestBytes,
  modelOf,
  sha256Digest,
} from "../registry/mod.ts";

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
  const model = modelOf(m);
  return { manifests: model.children, blobs: model.blobs };
}
