/**
 * Reading an attachment's manifest or index defensively: bounded size and entry count, exact
 * media types, every descriptor checked, and each entry kept as its exact bytes for merging.
 * Facts relied on: the OCI image spec v1.1 manifest (`schemaVersion` 2, `mediaType`,
 * `artifactType`, `config`, `layers`, `subject`, `annotations`) and index (`manifests`,
 * `subject`, `artifactType`); the distribution spec's "clients MUST set Content-Type to the
 * manifest's `mediaType` field" and "support manifests of at least 4 megabytes".
 */
import {
  DOCKER_LIST,
  DOCKER_MANIFEST,
  isIndexMediaType,
  type ManifestBytes,
  OCI_INDEX,
  OCI_MANIFEST,
} from "../registry/mod.ts";
import {
  annotationsOf,
  type ArtifactDescriptor,
  canonicalJson,
  checkDescriptor,
  isMediaType,
  isRecord,
} from "./descriptor.ts";
import { ManifestShapeError } from "./errors.ts";
import { type ArraySpans, arraySpans, spanText, topLevelMembers } from "./json_spans.ts";

/** The largest manifest taken: every registry must accept 4 MiB, so nothing larger is written. */
export const MAX_ARTIFACT_BYTES = 4 * 1024 * 1024;
/** The most layers or index entries taken in one manifest. */
export const MAX_ENTRIES = 1000;

/** Bounds of parsing. */
export interface ParseLimits {
  /** Default MAX_ARTIFACT_BYTES. */
  maxBytes?: number;
  /** Default MAX_ENTRIES. */
  maxEntries?: number;
}

/** A layer of a manifest or an entry of an index: its checked descriptor and exact bytes. */
export interface RawEntry {
  descriptor: ArtifactDescriptor;
  /** The entry's JSON text exactly as the manifest holds it. */
  raw: Uint8Array;
  /** `canonicalJson` of the whole entry (every field, keys sorted): equal entries, equal keys. */
  key: string;
}

/** A parsed artifact manifest or index. */
export interface ArtifactManifest {
  mediaType: string;
  digest: string;
  /** Whether it is an index (`manifests`) rather than a manifest (`config`, `layers`). */
  isIndex: boolean;
  artifactType?: string;
  /** The config descriptor (manifests only). */
  config?: ArtifactDescriptor;
  /** The layers of a manifest or the entries of an index, in order. */
  entries: RawEntry[];
  /** Where the `layers` or `manifests` array lies in the bytes. */
  entrySpans: ArraySpans;
  subject?: ArtifactDescriptor;
  annotations: Record<string, string>;
}

/** The manifest media types attachments can have (schema 1 cannot carry them). */
export const ARTIFACT_MEDIA_TYPES: ReadonlySet<string> = new Set([
  OCI_MANIFEST,
  OCI_INDEX,
  DOCKER_MANIFEST,
  DOCKER_LIST,
]);

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function descriptorField(value: unknown, field: string, what: string): ArtifactDescriptor {
  const d = checkDescriptor(value);
  if (typeof d === "string") throw new ManifestShapeError(what, `${field}: ${d}`);
  return d;
}

/**
 * Parses manifest bytes served as `m.mediaType` into an ArtifactManifest. Throws
 * ManifestShapeError when they are too big, not UTF-8 JSON, repeat a top-level key, are of
 * another media type than served, or hold a malformed or excess descriptor.
 */
export function parseArtifact(m: ManifestBytes, limits: ParseLimits = {}): ArtifactManifest {
  const what = m.digest;
  const maxBytes = limits.maxBytes ?? MAX_ARTIFACT_BYTES;
  const maxEntries = limits.maxEntries ?? MAX_ENTRIES;
  if (m.bytes.length > maxBytes) {
    throw new ManifestShapeError(what, `it is larger than ${maxBytes} bytes`);
  }
  if (!ARTIFACT_MEDIA_TYPES.has(m.mediaType)) {
    throw new ManifestShapeError(what, `its media type "${m.mediaType}" cannot hold attachments`);
  }
  let doc: unknown;
  let members;
  try {
    doc = JSON.parse(utf8.decode(m.bytes));
    members = topLevelMembers(m.bytes);
  } catch (e) {
    throw new ManifestShapeError(what, "it is not one JSON object", { cause: e });
  }
  if (!isRecord(doc)) throw new ManifestShapeError(what, "it is not a JSON object");
  if (doc.schemaVersion !== 2) throw new ManifestShapeError(what, "its schemaVersion is not 2");
  if (doc.mediaType !== undefined && doc.mediaType !== m.mediaType) {
    throw new ManifestShapeError(
      what,
      `it says it is ${JSON.stringify(doc.mediaType)} but was served as ${m.mediaType}`,
    );
  }
  const isIndex = isIndexMediaType(m.mediaType);
  const field = isIndex ? "manifests" : "layers";
  const list = doc[field];
  const span = members.get(field);
  if (!Array.isArray(list) || span === undefined) {
    throw new ManifestShapeError(what, `it has no "${field}" array`);
  }
  if (list.length > maxEntries) {
    throw new ManifestShapeError(what, `it lists more than ${maxEntries} ${field}`);
  }
  const entrySpans = arraySpans(m.bytes, span);
  if (entrySpans.elements.length !== list.length) {
    throw new ManifestShapeError(what, `its "${field}" array could not be delimited`);
  }
  const entries = entrySpans.elements.map((s, i): RawEntry => {
    const value = JSON.parse(spanText(m.bytes, s));
    const key = canonicalJson(value);
    if (key !== canonicalJson(list[i])) {
      throw new ManifestShapeError(what, `its ${field}[${i}] could not be delimited`);
    }
    const descriptor = descriptorField(value, `${field}[${i}]`, what);
    return { descriptor, raw: m.bytes.slice(s.start, s.end), key };
  });
  const out: ArtifactManifest = {
    mediaType: m.mediaType,
    digest: m.digest,
    isIndex,
    entries,
    entrySpans,
    annotations: {},
  };
  if (!isIndex) out.config = descriptorField(doc.config, "config", what);
  if (doc.subject !== undefined) out.subject = descriptorField(doc.subject, "subject", what);
  if (doc.artifactType !== undefined) {
    if (!isMediaType(doc.artifactType)) {
      throw new ManifestShapeError(what, "its artifactType is not a media type");
    }
    out.artifactType = doc.artifactType;
  }
  if (doc.annotations !== undefined) {
    const a = annotationsOf(doc.annotations);
    if (typeof a === "string") throw new ManifestShapeError(what, a);
    out.annotations = a;
  }
  return out;
}

/**
 * The `artifactType` the referrers API gives a manifest (distribution spec, "Listing
 * Referrers"): its own `artifactType`, else for an image manifest its config's media type; an
 * index without one has none.
 */
export function effectiveArtifactType(a: ArtifactManifest): string | undefined {
  if (a.artifactType !== undefined && a.artifactType !== "") return a.artifactType;
  return a.isIndex ? undefined : a.config?.mediaType;
}
