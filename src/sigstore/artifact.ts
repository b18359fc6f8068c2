/**
 * OCI artifacts as bytes for the caller to push: a manifest and the blobs it names. Nothing in
 * `src/sigstore` talks to a registry.
 */
import {
  type Descriptor,
  type ManifestBytes,
  OCI_MANIFEST,
  sha256Digest,
} from "../registry/mod.ts";

/** A descriptor with the optional annotations OCI allows on it. */
export interface AnnotatedDescriptor extends Descriptor {
  /** OCI annotations. */
  annotations?: Record<string, string>;
}

/** A blob: its descriptor (as the manifest lists it) and its bytes. */
export interface OciBlob {
  descriptor: AnnotatedDescriptor;
  bytes: Uint8Array;
}

/** An artifact to push: blobs first, then the manifest. */
export interface OciArtifact {
  /** The image manifest's exact bytes, media type and digest. */
  manifest: ManifestBytes;
  /** The blobs the manifest names (config first), each once. */
  blobs: OciBlob[];
}

/** A blob of `bytes` with `mediaType`. */
export function blobOf(
  mediaType: string,
  bytes: Uint8Array,
  annotations?: Record<string, string>,
): OciBlob {
  const descriptor: AnnotatedDescriptor = {
    mediaType,
    digest: sha256Digest(bytes),
    size: bytes.length,
  };
  if (annotations) descriptor.annotations = annotations;
  return { descriptor, bytes };
}

/** JSON text of `value` as UTF-8 bytes. */
export function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** An OCI image manifest document's bytes as an OciArtifact with `blobs`. */
export function manifestArtifact(document: unknown, blobs: OciBlob[]): OciArtifact {
  const bytes = jsonBytes(document);
  return { manifest: { mediaType: OCI_MANIFEST, digest: sha256Digest(bytes), bytes }, blobs };
}
