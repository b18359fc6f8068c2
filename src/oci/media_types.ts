/** Manifest and layer media types, and the Accept header of manifest requests (pure). */

/** OCI image index. */
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
/** OCI image manifest. */
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
/** Docker manifest list (schema 2). */
export const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
/** Docker image manifest (schema 2). */
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
/** Docker schema 1, signed. */
export const DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
/** Docker schema 1, unsigned. */
export const DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";

/** Every manifest media type cip reads, in order of preference. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  OCI_INDEX,
  OCI_MANIFEST,
  DOCKER_LIST,
  DOCKER_MANIFEST,
  DOCKER_SCHEMA1_SIGNED,
  DOCKER_SCHEMA1,
];

/** The Accept header of manifest HEADs and GETs (without it GCR answers schema 1). */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(", ");

/** Whether a media type is a manifest list or an image index. */
export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_LIST;
}

/** Whether a media type is Docker schema 1 (its digest header is not the body's SHA-256). */
export function isSchema1MediaType(mediaType: string | undefined): boolean {
  return mediaType === DOCKER_SCHEMA1 || mediaType === DOCKER_SCHEMA1_SIGNED;
}

/**
 * Whether a layer's bytes are not the registry's to hold (Docker foreign layers, OCI
 * non-distributable layers, e.g. Windows base layers): they are never copied or required.
 */
export function isForeignLayer(mediaType: string): boolean {
  return /\.foreign\.|\.nondistributable\./.test(mediaType);
}

/** A media type without parameters (`; charset=utf-8`), lowercased. */
export function bareMediaType(contentType: string | null | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}
