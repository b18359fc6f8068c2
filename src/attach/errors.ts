/** The errors of the attachments layer: unreadable artifacts, refused merges, exceeded bounds. */

/** Something about attachments could not be done; `message` says what and why. */
export class AttachError extends Error {
  /** `message` says what could not be done and why. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AttachError";
  }
}

/** Manifest bytes that are not a well-formed artifact manifest or index (or too big to take). */
export class ManifestShapeError extends AttachError {
  /** What was being read, e.g. `sha256:ab…` or the tag `sha256-ab….sig`. */
  readonly what: string;
  /** What is wrong with it, without the name. */
  readonly detail: string;

  /** `what` names the manifest, `detail` says what is wrong. */
  constructor(what: string, detail: string, options?: ErrorOptions) {
    super(`Cannot read manifest ${what}: ${detail}`, options);
    this.name = "ManifestShapeError";
    this.what = what;
    this.detail = detail;
  }
}

/** Why two versions of a tag cannot be merged. */
export type MergeRefusal =
  /** The tag is not an accumulator: neither a cosign `.sig`/`.att` tag nor a referrers-schema tag. */
  | "not-an-accumulator"
  /** Source and destination have different media types. */
  | "media-type-mismatch"
  /** One side is not laid out as the tag's protocol says (cosign layers, referrers index). */
  | "not-the-layout"
  /** One side could not be read as a manifest at all. */
  | "unreadable"
  /** The merged manifest would be larger than registries must accept, or list too many entries. */
  | "too-large";

/** Two versions of a tag that cannot be merged; the tag is left as it is. */
export class MergeRefusedError extends AttachError {
  /** The tag concerned. */
  readonly tag: string;
  /** The kind of refusal, to branch on. */
  readonly reason: MergeRefusal;

  /** `detail` says what was found, e.g. `the destination is a Docker manifest`. */
  constructor(tag: string, reason: MergeRefusal, detail: string, options?: ErrorOptions) {
    super(`Cannot merge tag "${tag}": ${detail}`, options);
    this.name = "MergeRefusedError";
    this.tag = tag;
    this.reason = reason;
  }
}

/** Discovery found more than its bounds allow (a broken or hostile source registry). */
export class AttachLimitError extends AttachError {
  /** Which bound: the number of attached manifests, or the depth of attachments of attachments. */
  readonly limit: "manifests" | "depth";
  /** The bound's value. */
  readonly max: number;

  /** `where` names the repository and digest concerned. */
  constructor(limit: "manifests" | "depth", max: number, where: string) {
    const what = limit === "manifests"
      ? `more than ${max} attached manifests`
      : `attachments nested more than ${max} deep`;
    super(`Cannot list what is attached in ${where}: ${what}`);
    this.name = "AttachLimitError";
    this.limit = limit;
    this.max = max;
  }
}
