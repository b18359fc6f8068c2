/**
 * The tags under which attachments live, and recognising them in a tag list. Facts relied on:
 *
 * - cosign's SIGNATURE_SPEC.md ("Tag-based Discovery"): the signatures of `sha256:<hex>` are at
 *   the tag made by replacing `:` with `-` and appending `.sig`, in the image's repository;
 *   cosign uses the suffixes `.att` for attestations and `.sbom` for SBOMs the same way.
 * - OCI distribution spec v1.1 ("Referrers Tag Schema"): where the referrers API is absent, the
 *   referrers of a subject are listed by an image index at the tag `<alg>-<ref>`, the digest's
 *   algorithm and its hex, e.g. `sha256-<64 hex>`; clients pushing referrers maintain it.
 *
 * Only sha256 digests are recognised, as in the rest of cip.
 */
import { isDigest } from "../registry/mod.ts";
import type { AttachmentKind } from "./artifact_types.ts";

/** The suffixes of cosign's tags. */
export type CosignSuffix = "sig" | "att" | "sbom";

/** The cosign suffixes and the kind of attachment each holds. */
export const COSIGN_SUFFIXES: Readonly<Record<CosignSuffix, AttachmentKind>> = {
  sig: "signature",
  att: "attestation",
  sbom: "sbom",
};

/** A tag recognised as holding attachments of `digest`. */
export type AttachmentTag =
  | {
    /** cosign's tag scheme. */
    scheme: "cosign-tag";
    tag: string;
    /** The digest the tag's content is attached to. */
    digest: string;
    suffix: CosignSuffix;
    kind: AttachmentKind;
  }
  | {
    /** The distribution spec's referrers tag schema. */
    scheme: "referrers-tag";
    tag: string;
    /** The subject whose referrers the tag's index lists. */
    digest: string;
  };

const COSIGN_TAG_RE = /^sha256-([0-9a-f]{64})\.(sig|att|sbom)$/;
const REFERRERS_TAG_RE = /^sha256-([0-9a-f]{64})$/;

function requireDigest(digest: string): string {
  if (!isDigest(digest)) throw new TypeError(`Not a sha256 digest: ${JSON.stringify(digest)}`);
  return digest.slice("sha256:".length);
}

/** cosign's tag for attachments of `digest`: `sha256-<hex>.<suffix>`. */
export function cosignTag(digest: string, suffix: CosignSuffix): string {
  return `sha256-${requireDigest(digest)}.${suffix}`;
}

/** The referrers-schema tag of `digest`: `sha256-<hex>`. */
export function referrersTag(digest: string): string {
  return `sha256-${requireDigest(digest)}`;
}

/** What a tag holds attachments of, or null for any other tag. */
export function parseAttachmentTag(tag: string): AttachmentTag | null {
  let m = COSIGN_TAG_RE.exec(tag);
  if (m !== null) {
    const suffix = m[2] as CosignSuffix;
    return {
      scheme: "cosign-tag",
      tag,
      digest: `sha256:${m[1]}`,
      suffix,
      kind: COSIGN_SUFFIXES[suffix],
    };
  }
  m = REFERRERS_TAG_RE.exec(tag);
  if (m !== null) return { scheme: "referrers-tag", tag, digest: `sha256:${m[1]}` };
  return null;
}

/**
 * Whether a tag is an accumulator by protocol: a cosign `.sig` or `.att` tag (signatures and
 * attestations are appended as layers) or a referrers-schema tag (referrers are appended to
 * the index). These are the only tags a promotion may rewrite, and only to add entries.
 * `.sbom` is not one: `cosign attach sbom` replaces it.
 */
export function isAccumulatorTag(tag: string): boolean {
  const t = parseAttachmentTag(tag);
  return t !== null && (t.scheme === "referrers-tag" || t.suffix !== "sbom");
}

/** The attachment tags of a tag list, by the digest they attach to, each list in tag order. */
export function attachmentTagsByDigest(tags: Iterable<string>): Map<string, AttachmentTag[]> {
  const out = new Map<string, AttachmentTag[]>();
  for (const tag of [...tags].sort()) {
    const t = parseAttachmentTag(tag);
    if (t === null) continue;
    const list = out.get(t.digest);
    if (list === undefined) out.set(t.digest, [t]);
    else list.push(t);
  }
  return out;
}
