/**
 * The one reading of manifest bytes (pure): an image manifest, an index or manifest list (OCI
 * and Docker), or a Docker schema 1 manifest, and what a promoter needs from it: its media
 * type, children, blobs, foreign layers, `subject`, `artifactType` and annotations.
 */
import {
  DOCKER_SCHEMA1,
  DOCKER_SCHEMA1_SIGNED,
  isForeignLayer,
  isIndexMediaType,
  isSchema1MediaType,
  OCI_INDEX,
  OCI_MANIFEST,
} from "./media_types.ts";

/** A content descriptor: what a manifest or blob is, by digest. */
export interface Descriptor {
  mediaType: string;
  /** `sha256:<hex>`. */
  digest: string;
  /** Size in bytes (-1 when the manifest does not say: schema 1 layers). */
  size: number;
}

/** An entry of an index: a descriptor and what the index says of it. */
export interface IndexEntry extends Descriptor {
  platform?: { architecture?: string; os?: string; variant?: string };
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** What cip reads of a manifest. */
export interface ManifestModel {
  /** The `schemaVersion` field (2 for OCI and Docker schema 2, 1 for schema 1), if a number. */
  schemaVersion?: number;
  /** The media type the manifest says it has (`mediaType` field), if any. */
  declaredMediaType?: string;
  /** The registry's media type, else the declared one, else the one the shape implies. */
  mediaType: string;
  kind: "index" | "image" | "schema1";
  /** The entries of an index or manifest list, in order (none for other kinds). */
  children: IndexEntry[];
  /** An image's config. */
  config?: Descriptor;
  /** An image's layers, in order, foreign ones included. */
  layers: Descriptor[];
  /** Blobs a copy must place first: config, then layers, each once, foreign layers left out. */
  blobs: Descriptor[];
  /** Layers whose bytes the registry does not hold (foreign, non-distributable). */
  foreign: Descriptor[];
  /** The manifest this one refers to (OCI 1.1), if any. */
  subject?: Descriptor;
  /** The artifact type (OCI 1.1), if any. */
  artifactType?: string;
  annotations: Record<string, string>;
}

/** Bytes that are not a manifest cip can read; `message` says why. */
export class ManifestFormatError extends Error {
  /** `message` says what is wrong with the bytes. */
  constructor(message: string) {
    super(message);
    this.name = "ManifestFormatError";
  }
}

type Json = Record<string, unknown>;

/** Parses bytes as a JSON object; throws ManifestFormatError. */
function parseObject(bytes: Uint8Array): Json {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new ManifestFormatError("it is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ManifestFormatError("it is not a JSON object");
  }
  return value as Json;
}

/**
 * The media type of manifest bytes when the registry did not say: the `mediaType` field, else
 * the shape (`manifests` = OCI index, `layers` = OCI manifest, `fsLayers` = schema 1). Throws
 * ManifestFormatError for bytes of no known shape.
 */
export function sniffMediaType(bytes: Uint8Array): string {
  return shapeType(parseObject(bytes));
}

function shapeType(m: Json): string {
  if (typeof m.mediaType === "string" && m.mediaType !== "") return m.mediaType;
  if (Array.isArray(m.manifests)) return OCI_INDEX;
  if (Array.isArray(m.layers)) return OCI_MANIFEST;
  if (Array.isArray(m.fsLayers)) return m.signatures ? DOCKER_SCHEMA1_SIGNED : DOCKER_SCHEMA1;
  throw new ManifestFormatError("it has no known shape (no manifests, layers or fsLayers)");
}

/**
 * Reads manifest bytes as `mediaType` (the registry's word; the bytes' own `mediaType` or shape
 * when absent). Every descriptor must have a string digest and a whole, non-negative size.
 * Throws ManifestFormatError.
 */
export function readManifest(bytes: Uint8Array, mediaType?: string): ManifestModel {
  const m = parseObject(bytes);
  const type = mediaType !== undefined && mediaType !== "" ? mediaType : shapeType(m);
  const model: ManifestModel = {
    mediaType: type,
    kind: isIndexMediaType(type) ? "index" : isSchema1MediaType(type) ? "schema1" : "image",
    children: [],
    layers: [],
    blobs: [],
    foreign: [],
    annotations: stringMap(m.annotations),
  };
  if (typeof m.schemaVersion === "number") model.schemaVersion = m.schemaVersion;
  if (typeof m.mediaType === "string" && m.mediaType !== "") model.declaredMediaType = m.mediaType;
  if (typeof m.artifactType === "string") model.artifactType = m.artifactType;
  if (m.subject !== undefined) model.subject = descriptor(m.subject, "its subject");
  if (model.kind === "index") {
    if (!Array.isArray(m.manifests)) throw new ManifestFormatError('an index without "manifests"');
    model.children = m.manifests.map((d, i) => indexEntry(d, `entry ${i} of its manifests`));
  } else if (model.kind === "schema1") {
    model.layers = schema1Layers(m);
    model.blobs = distinct(model.layers);
  } else {
    if (m.config !== undefined) model.config = descriptor(m.config, "its config");
    const layers = Array.isArray(m.layers) ? m.layers : [];
    model.layers = layers.map((d, i) => descriptor(d, `layer ${i}`));
    model.foreign = model.layers.filter((d) => isForeignLayer(d.mediaType));
    const needed = model.layers.filter((d) => !isForeignLayer(d.mediaType));
    model.blobs = distinct(model.config ? [model.config, ...needed] : needed);
  }
  return model;
}

/** The sum of an image's config and layer sizes; undefined for other kinds or unknown sizes. */
export function imageBytes(m: ManifestModel): number | undefined {
  if (m.kind !== "image") return undefined;
  let sum = 0;
  for (const d of m.config ? [m.config, ...m.layers] : m.layers) {
    if (d.size < 0) return undefined;
    sum += d.size;
  }
  return sum;
}

/** A digest as the OCI image spec writes them: `algorithm:encoded`. */
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

function descriptor(value: unknown, what: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (
    typeof d !== "object" || d === null || typeof d.digest !== "string" ||
    !DIGEST_GRAMMAR.test(d.digest) ||
    typeof d.size !== "number" || !Number.isSafeInteger(d.size) || d.size < 0
  ) {
    throw new ManifestFormatError(`${what} lacks a digest or size`);
  }
  return {
    mediaType: typeof d.mediaType === "string" ? d.mediaType : "",
    digest: d.digest,
    size: d.size,
  };
}

function indexEntry(value: unknown, what: string): IndexEntry {
  const e: IndexEntry = descriptor(value, what);
  const v = value as Json;
  if (typeof v.platform === "object" && v.platform !== null) {
    const p = v.platform as Json;
    e.platform = {};
    for (const k of ["architecture", "os", "variant"] as const) {
      if (typeof p[k] === "string") e.platform[k] = p[k] as string;
    }
  }
  if (typeof v.artifactType === "string") e.artifactType = v.artifactType;
  if (v.annotations !== undefined) e.annotations = stringMap(v.annotations);
  return e;
}

/** Schema 1 layers (`fsLayers[].blobSum`), without sizes (size -1). */
function schema1Layers(m: Json): Descriptor[] {
  const fs = Array.isArray(m.fsLayers) ? m.fsLayers : [];
  return fs.map((l, i) => {
    const sum = (l as Json | null)?.blobSum;
    if (typeof sum !== "string") throw new ManifestFormatError(`layer ${i} lacks "blobSum"`);
    return { mediaType: "application/octet-stream", digest: sum, size: -1 };
  });
}

/** Descriptors each once, in first order. */
function distinct(list: Descriptor[]): Descriptor[] {
  const seen = new Set<string>();
  return list.filter((d) => !seen.has(d.digest) && seen.add(d.digest));
}

/** The string values of an annotations object (others left out). */
function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  return out;
}
