/** What an OCI layout needs to know about a manifest's bytes: its kind and what it references. */

/** The OCI image index media type (also the media type of a layout's `index.json`). */
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
/** The OCI image manifest media type. */
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
/** The Docker manifest list media type. */
export const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
/** The Docker image manifest (schema 2) media type. */
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

/** Media types of manifests that list other manifests. */
const INDEX_TYPES = new Set([OCI_INDEX, DOCKER_LIST]);
/** Media types of manifests that list a config and layers. */
const IMAGE_TYPES = new Set([OCI_MANIFEST, DOCKER_MANIFEST]);

/** Layer media types whose bytes may legitimately live elsewhere (`urls`). */
const FOREIGN_LAYER = /(foreign|nondistributable)/;

/** A manifest's kind and the digests it needs present before it may be stored. */
export interface ManifestFacts {
  /** The media type the manifest declares, or the one its shape implies. */
  mediaType: string;
  /** Config and layer digests (image manifests). */
  blobs: string[];
  /** Child manifest digests (indexes and manifest lists). */
  children: string[];
}

/** Why some bytes are not a manifest a layout can store. */
export type NotAManifest = { problem: string };

/**
 * Reads the kind and references of a manifest from its bytes (pure). Returns a problem
 * description for bytes that are not JSON, not a schema 2 manifest, or a schema 1 manifest.
 */
export function manifestFacts(bytes: Uint8Array): ManifestFacts | NotAManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return { problem: "it is not JSON" };
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return { problem: "it is not a JSON object" };
  }
  const m = doc as Record<string, unknown>;
  if (m.schemaVersion === 1) {
    return { problem: "schema 1 manifests cannot be stored in an OCI image layout" };
  }
  if (m.schemaVersion !== 2) return { problem: "it has no schemaVersion 2" };
  const declared = typeof m.mediaType === "string" ? m.mediaType : undefined;
  if (Array.isArray(m.manifests) && (declared === undefined || INDEX_TYPES.has(declared))) {
    const children = digestsOf(m.manifests);
    if (children === null) return { problem: "an entry of its manifests has no digest" };
    return { mediaType: declared ?? OCI_INDEX, blobs: [], children };
  }
  if (
    typeof m.config === "object" && m.config !== null && Array.isArray(m.layers) &&
    (declared === undefined || IMAGE_TYPES.has(declared))
  ) {
    const config = digestsOf([m.config]);
    const needed = m.layers.filter((l) => !isForeign(l));
    const layers = digestsOf(needed);
    if (config === null || layers === null) {
      return { problem: "its config or a layer has no digest" };
    }
    return { mediaType: declared ?? OCI_MANIFEST, blobs: [...config, ...layers], children: [] };
  }
  return { problem: `it is not an image manifest or index (mediaType ${declared ?? "absent"})` };
}

/** Whether a layer descriptor names bytes stored elsewhere (a foreign layer with `urls`). */
function isForeign(layer: unknown): boolean {
  if (typeof layer !== "object" || layer === null) return false;
  const l = layer as Record<string, unknown>;
  return Array.isArray(l.urls) && l.urls.length > 0 &&
    typeof l.mediaType === "string" && FOREIGN_LAYER.test(l.mediaType);
}

/** The `digest` fields of a list of descriptors, or null when one lacks it. */
function digestsOf(list: unknown[]): string[] | null {
  const out: string[] = [];
  for (const d of list) {
    if (typeof d !== "object" || d === null) return null;
    const digest = (d as Record<string, unknown>).digest;
    if (typeof digest !== "string") return null;
    out.push(digest);
  }
  return out;
}

/** Whether a media type is that of an index or manifest list. */
export function isIndexType(mediaType: string): boolean {
  return INDEX_TYPES.has(mediaType);
}

/** A child manifest named by an index: what the index says about it. */
export interface ChildDescriptor {
  mediaType: string;
  digest: string;
  size: number;
}

/** The well-formed child descriptors of an index's bytes (pure; none for other bytes). */
export function childDescriptors(bytes: Uint8Array): ChildDescriptor[] {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return [];
  }
  const list = typeof doc === "object" && doc !== null
    ? (doc as Record<string, unknown>).manifests
    : undefined;
  if (!Array.isArray(list)) return [];
  const out: ChildDescriptor[] = [];
  for (const item of list) {
    if (typeof item !== "object" || item === null) continue;
    const { mediaType, digest, size } = item as Record<string, unknown>;
    if (
      typeof mediaType === "string" && typeof digest === "string" &&
      /^sha256:[0-9a-f]{64}$/.test(digest) &&
      typeof size === "number" && Number.isSafeInteger(size) && size >= 0
    ) {
      out.push({ mediaType, digest, size });
    }
  }
  return out;
}
