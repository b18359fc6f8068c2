/** What an OCI layout needs to know about a manifest's bytes: its kind and what it references. */
import {
  DOCKER_MANIFEST,
  isIndexMediaType,
  ManifestFormatError,
  type ManifestModel,
  OCI_MANIFEST,
  readManifest,
} from "../../oci/mod.ts";

export { DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST } from "../../oci/mod.ts";

/** A manifest's kind and the digests it needs present before it may be stored. */
export interface ManifestFacts {
  /** The media type the manifest declares, or the one its shape implies. */
  mediaType: string;
  /** Config and layer digests (image manifests), foreign layers left out. */
  blobs: string[];
  /** Child manifest digests (indexes and manifest lists). */
  children: string[];
}

/** Why some bytes are not a manifest a layout can store. */
export type NotAManifest = { problem: string };

/**
 * Reads the kind and references of a manifest from its bytes (pure), with the one manifest
 * model. Returns a problem description for bytes that are not a schema 2 image manifest or
 * index, or are schema 1 (which an OCI layout cannot hold).
 */
export function manifestFacts(bytes: Uint8Array): ManifestFacts | NotAManifest {
  let m: ManifestModel;
  try {
    m = readManifest(bytes);
  } catch (e) {
    if (e instanceof ManifestFormatError) return { problem: e.message };
    throw e;
  }
  if (m.schemaVersion === 1 || m.kind === "schema1") {
    return { problem: "schema 1 manifests cannot be stored in an OCI image layout" };
  }
  if (m.schemaVersion !== 2) return { problem: "it has no schemaVersion 2" };
  if (m.kind === "index") {
    return { mediaType: m.mediaType, blobs: [], children: m.children.map((c) => c.digest) };
  }
  const declared = m.declaredMediaType;
  if (m.config === undefined || (declared !== undefined && !IMAGE_TYPES.has(declared))) {
    return { problem: `it is not an image manifest or index (mediaType ${declared ?? "absent"})` };
  }
  return { mediaType: m.mediaType, blobs: m.blobs.map((b) => b.digest), children: [] };
}

/** Media types of manifests that list a config and layers. */
const IMAGE_TYPES = new Set([OCI_MANIFEST, DOCKER_MANIFEST]);

/** Whether a media type is that of an index or manifest list. */
export function isIndexType(mediaType: string): boolean {
  return isIndexMediaType(mediaType);
}

/** A child manifest named by an index: what the index says about it. */
export interface ChildDescriptor {
  mediaType: string;
  digest: string;
  size: number;
}

/** The child descriptors of an index's bytes (pure; none for bytes that are not an index). */
export function childDescriptors(bytes: Uint8Array): ChildDescriptor[] {
  try {
    const m = readManifest(bytes);
    return m.kind !== "index" ? [] : m.children.map(({ mediaType, digest, size }) => ({
      mediaType,
      digest,
      size,
    }));
  } catch (e) {
    if (e instanceof ManifestFormatError) return [];
    throw e;
  }
}
