/**
 * Descriptors as attachments use them: OCI descriptors with the optional `artifactType` and
 * `annotations` of image spec v1.1, validated field by field (digest, size, media type), and a
 * canonical form to tell equal descriptors apart from merely equal digests.
 */
import { type Descriptor, isDigest } from "../registry/mod.ts";

/** A descriptor with the OCI 1.1 fields attachments are told apart by. */
export interface ArtifactDescriptor extends Descriptor {
  /** The artifact's type, on referrer descriptors and artifact manifests. */
  artifactType?: string;
  /** OCI annotations (string to string). */
  annotations?: Record<string, string>;
}

/** Longest media type taken (RFC 6838 allows 127 + 1 + 127 characters, plus parameters). */
const MAX_MEDIA_TYPE = 512;
/** `type/subtype` in RFC 6838's restricted-name characters, then printable parameters. */
const MEDIA_TYPE_RE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}( *; *[!-:<>-~]+=[ -:<-~]*)*$/;

/** Whether a string is a media type descriptors may carry. */
export function isMediaType(value: unknown): value is string {
  return typeof value === "string" && value.length <= MAX_MEDIA_TYPE && MEDIA_TYPE_RE.test(value);
}

/** Whether a value is a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The annotations of a value, or a reason they are malformed (not a string-to-string map). */
export function annotationsOf(value: unknown): Record<string, string> | string {
  if (!isRecord(value)) return "annotations are not an object";
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") return `the annotation "${k}" is not a string`;
    out[k] = v;
  }
  return out;
}

/**
 * The descriptor in `value`, checked: a media type, a sha256 digest, a size that is a
 * non-negative safe integer, and when present a media-type `artifactType` and string
 * annotations. Returns a reason instead when it is malformed. Other fields (`urls`, `data`,
 * `platform`) are allowed and left out of the result; the raw bytes keep them.
 */
export function checkDescriptor(value: unknown): ArtifactDescriptor | string {
  if (!isRecord(value)) return "a descriptor is not an object";
  const { mediaType, digest, size, artifactType, annotations } = value;
  if (!isMediaType(mediaType)) return `a descriptor has no valid media type`;
  if (typeof digest !== "string" || !isDigest(digest)) {
    return `a descriptor's digest ${JSON.stringify(digest)} is not sha256:<64 hex>`;
  }
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    return `the descriptor of ${digest} has no valid size`;
  }
  const out: ArtifactDescriptor = { mediaType, digest, size };
  if (artifactType !== undefined) {
    if (!isMediaType(artifactType)) {
      return `the descriptor of ${digest} has an invalid artifactType`;
    }
    out.artifactType = artifactType;
  }
  if (annotations !== undefined) {
    const a = annotationsOf(annotations);
    if (typeof a === "string") return `the descriptor of ${digest}: ${a}`;
    out.annotations = a;
  }
  return out;
}

/** JSON text of a value with object keys sorted at every level (arrays keep their order). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
