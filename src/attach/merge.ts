/**
 * Merging accumulator tags, the one exception to "tags never move": a cosign `.sig` or `.att`
 * tag and a referrers-schema index only ever grow. Given the source's and the destination's
 * versions, the merged version is the destination's exact bytes with the source's missing
 * entries appended (nothing dropped, the destination's entries first, then the new ones in
 * source order), and `write` says whether anything was missing.
 *
 * Identity of entries:
 * - cosign layers are the same when their whole descriptors are (digest, size, media type and
 *   annotations): the simple-signing payload of an image is the same bytes for every signer,
 *   so two signatures by different keys share a digest and differ in their annotations; keying
 *   on the digest alone would drop one of them.
 * - referrers index entries are the same when their digests are: a digest names one manifest.
 *
 * The merged `.sig`/`.att` keeps the destination's config. Facts relied on: cosign's
 * SIGNATURE_SPEC.md and ATTESTATION_SPEC.md (signatures and attestations are the layers, in an
 * order that carries no meaning; verifiers read the layers and their annotations, not the
 * config, which only restates the layers as go-containerregistry's empty image with layers
 * appended) and the distribution spec v1.1 (the referrers-schema index is kept by clients, who
 * append a descriptor unless one with the same digest is listed).
 */
import { DOCKER_MANIFEST, type ManifestBytes, OCI_INDEX, OCI_MANIFEST } from "../registry/mod.ts";
import type { ArtifactManifest, ParseLimits } from "./artifact_manifest.ts";
import { DSSE_ENVELOPE_MEDIA_TYPE, SIMPLE_SIGNING_MEDIA_TYPE } from "./artifact_types.ts";
import { MergeRefusedError } from "./errors.ts";
import { type MergeResult, readSide, takeSource, unionInto } from "./merge_result.ts";
import { parseAttachmentTag } from "./tags.ts";

/** The layer media type each accumulating cosign suffix holds. */
const COSIGN_LAYER_TYPES = {
  sig: SIMPLE_SIGNING_MEDIA_TYPE,
  att: DSSE_ENVELOPE_MEDIA_TYPE,
} as const;

function checkCosignLayout(
  tag: string,
  side: "source" | "destination",
  m: ArtifactManifest,
  layerType: string,
): void {
  if (m.mediaType !== OCI_MANIFEST && m.mediaType !== DOCKER_MANIFEST) {
    throw new MergeRefusedError(tag, "not-the-layout", `the ${side} is not an image manifest`);
  }
  if (m.entries.length === 0) {
    throw new MergeRefusedError(tag, "not-the-layout", `the ${side} has no layers`);
  }
  const other = m.entries.find((e) => e.descriptor.mediaType !== layerType);
  if (other !== undefined) {
    throw new MergeRefusedError(
      tag,
      "not-the-layout",
      `the ${side} has a layer of type "${other.descriptor.mediaType}", not "${layerType}"`,
    );
  }
}

function sameMediaType(tag: string, source: ManifestBytes, destination: ManifestBytes): void {
  if (source.mediaType !== destination.mediaType) {
    throw new MergeRefusedError(
      tag,
      "media-type-mismatch",
      `the source is ${source.mediaType} but the destination is ${destination.mediaType}`,
    );
  }
}

/**
 * Merges the source's version of a cosign `.sig` or `.att` tag into the destination's
 * (`null`: the destination has no such tag, and the source is taken as it is). Throws
 * MergeRefusedError for another tag, differing media types, or a side that is not cosign's
 * layout (an image manifest whose layers are all simple-signing payloads, or all DSSE
 * envelopes).
 */
export function mergeCosignManifest(
  tag: string,
  source: ManifestBytes,
  destination: ManifestBytes | null,
  limits: ParseLimits = {},
): MergeResult {
  const t = parseAttachmentTag(tag);
  if (t?.scheme !== "cosign-tag" || t.suffix === "sbom") {
    throw new MergeRefusedError(tag, "not-an-accumulator", "it is not a cosign .sig or .att tag");
  }
  const src = readSide(tag, "source", source, limits);
  if (destination === null) return takeSource(source, src);
  sameMediaType(tag, source, destination);
  const dst = readSide(tag, "destination", destination, limits);
  const layerType = COSIGN_LAYER_TYPES[t.suffix];
  checkCosignLayout(tag, "source", src, layerType);
  checkCosignLayout(tag, "destination", dst, layerType);
  return unionInto(tag, destination, dst, src, (e) => e.key, limits);
}

/**
 * Merges the source's referrers-schema index (or one built with `referrersIndex`) into the
 * destination's (`null`: absent, the source is taken as it is). Throws MergeRefusedError for
 * a tag that is not `sha256-<hex>`, or a side that is not an OCI image index.
 */
export function mergeReferrersIndex(
  tag: string,
  source: ManifestBytes,
  destination: ManifestBytes | null,
  limits: ParseLimits = {},
): MergeResult {
  if (parseAttachmentTag(tag)?.scheme !== "referrers-tag") {
    throw new MergeRefusedError(tag, "not-an-accumulator", "it is not a referrers-schema tag");
  }
  for (const [side, m] of [["source", source], ["destination", destination]] as const) {
    if (m !== null && m.mediaType !== OCI_INDEX) {
      throw new MergeRefusedError(tag, "not-the-layout", `the ${side} is not an OCI image index`);
    }
  }
  const src = readSide(tag, "source", source, limits);
  if (destination === null) return takeSource(source, src);
  const dst = readSide(tag, "destination", destination, limits);
  return unionInto(tag, destination, dst, src, (e) => e.descriptor.digest, limits);
}

/**
 * Merges two versions of an accumulator tag, whichever protocol it follows (see
 * `isAccumulatorTag`); throws MergeRefusedError (`not-an-accumulator`) for any other tag.
 */
export function mergeAccumulator(
  tag: string,
  source: ManifestBytes,
  destination: ManifestBytes | null,
  limits: ParseLimits = {},
): MergeResult {
  const t = parseAttachmentTag(tag);
  if (t?.scheme === "referrers-tag") return mergeReferrersIndex(tag, source, destination, limits);
  if (t?.scheme === "cosign-tag" && t.suffix !== "sbom") {
    return mergeCosignManifest(tag, source, destination, limits);
  }
  throw new MergeRefusedError(
    tag,
    "not-an-accumulator",
    "only cosign .sig/.att tags and referrers-schema tags accumulate; other tags never move",
  );
}
