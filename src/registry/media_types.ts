/** Manifest media types, the Accept header, and reading children and blobs from manifests. */
import type { Descriptor, ManifestBytes } from "./api.ts";
import { RegistryError } from "./errors.ts";

/** The largest manifest accepted, from a registry or a layout (registries refuse over 4 MiB). */
export const MANIFEST_LIMIT = 16 * 1024 * 1024;

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

/** A media type without parameters (`; charset=utf-8`), lowercased. */
export function bareMediaType(contentType: string | null | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

interface ParsedManifest {
  schemaVersion?: number;
  mediaType?: string;
  config?: Partial<Descriptor>;
  layers?: Partial<Descriptor>[];
  manifests?: Partial<Descriptor>[];
  fsLayers?: { blobSum?: string }[];
  signatures?: unknown;
}

function parse(bytes: Uint8Array, what: string): ParsedManifest {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new RegistryError(`Cannot read manifest ${what}: it is not valid JSON`, { cause: e });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RegistryError(`Cannot read manifest ${what}: it is not a JSON object`);
  }
  return value as ParsedManifest;
}

/**
 * The media type of manifest bytes when the registry did not say: the `mediaType` field, else
 * the shape (`manifests` = OCI index, `layers` = OCI manifest, `fsLayers` = schema 1).
 */
export function sniffMediaType(bytes: Uint8Array): string {
  const m = parse(bytes, "without a media type");
  if (typeof m.mediaType === "string" && m.mediaType !== "") return m.mediaType;
  if (Array.isArray(m.manifests)) return OCI_INDEX;
  if (Array.isArray(m.layers)) return OCI_MANIFEST;
  if (Array.isArray(m.fsLayers)) return m.signatures ? DOCKER_SCHEMA1_SIGNED : DOCKER_SCHEMA1;
  throw new RegistryError("Cannot tell the media type of a manifest: it has no known shape");
}

function descriptor(d: Partial<Descriptor> | undefined, what: string, fallback = ""): Descriptor {
  if (
    d === undefined || typeof d.digest !== "string" || typeof d.size !== "number" ||
    !Number.isSafeInteger(d.size) || d.size < 0
  ) {
    throw new RegistryError(`Cannot read manifest ${what}: a descriptor lacks digest or size`);
  }
  return {
    mediaType: typeof d.mediaType === "string" ? d.mediaType : fallback,
    digest: d.digest,
    size: d.size,
  };
}

/** The child manifests an index or manifest list names, in order. */
export function manifestChildren(m: ManifestBytes): Descriptor[] {
  if (!isIndexMediaType(m.mediaType)) return [];
  const parsed = parse(m.bytes, m.digest);
  if (!Array.isArray(parsed.manifests)) {
    throw new RegistryError(`Cannot read manifest ${m.digest}: an index without "manifests"`);
  }
  return parsed.manifests.map((d) => descriptor(d, m.digest));
}

/**
 * The distinct blobs an image manifest references: config first, then layers. Schema 1 manifests name
 * layers without sizes: those descriptors carry size -1 (unknown). An index has none.
 */
export function manifestBlobs(m: ManifestBytes): Descriptor[] {
  if (isIndexMediaType(m.mediaType)) return [];
  const parsed = parse(m.bytes, m.digest);
  if (isSchema1MediaType(m.mediaType)) {
    const seen = new Set<string>();
    const out: Descriptor[] = [];
    for (const l of parsed.fsLayers ?? []) {
      if (typeof l.blobSum !== "string") {
        throw new RegistryError(`Cannot read manifest ${m.digest}: a layer lacks "blobSum"`);
      }
      if (seen.has(l.blobSum)) continue;
      seen.add(l.blobSum);
      out.push({ mediaType: "application/octet-stream", digest: l.blobSum, size: -1 });
    }
    return out;
  }
  const out: Descriptor[] = [];
  const seen = new Set<string>();
  const all = [...(parsed.config === undefined ? [] : [parsed.config]), ...(parsed.layers ?? [])];
  for (const d of all.map((x) => descriptor(x, m.digest))) {
    if (seen.has(d.digest)) continue;
    seen.add(d.digest);
    out.push(d);
  }
  return out;
}
