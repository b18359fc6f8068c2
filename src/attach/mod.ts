/**
 * Attachments: signatures, attestations and SBOMs that travel with the images they are attached
 * to. Pure code (no fetch, no files): it names and recognises the tags attachments live under
 * (cosign's `sha256-<hex>.sig|.att|.sbom` and the referrers-schema `sha256-<hex>`), reads
 * attachment manifests defensively, finds the graph of what is attached to a set of digests
 * through an injected reader (cosign tags, the OCI 1.1 referrers API, or the referrers tag
 * schema where the API is absent; attachments of attachments too, bounded), and merges the
 * source's and the destination's versions of an accumulator tag (`.sig`, `.att`, a referrers
 * index) into their union, byte-exact in what it keeps: the one exception to "tags never move",
 * and one that only ever adds.
 */
export {
  ARTIFACT_MEDIA_TYPES,
  type ArtifactManifest,
  effectiveArtifactType,
  MAX_ARTIFACT_BYTES,
  MAX_ENTRIES,
  parseArtifact,
  type ParseLimits,
  type RawEntry,
} from "./artifact_manifest.ts";
export {
  ATTACHMENT_KINDS,
  type AttachmentKind,
  BUNDLE_PREDICATE_ANNOTATION,
  COSIGN_ANNOTATIONS,
  COSIGN_PREDICATE_ANNOTATION,
  COSIGN_SIGN_PREDICATE,
  CREATED_ANNOTATION,
  DSSE_ENVELOPE_MEDIA_TYPE,
  IN_TOTO_MEDIA_TYPE,
  isSbomMediaType,
  isSigstoreBundle,
  NOTARY_SIGNATURE,
  OCI_EMPTY_DIGEST,
  OCI_EMPTY_MEDIA_TYPE,
  OCI_EMPTY_SIZE,
  referrerKind,
  SIGSTORE_BUNDLE_V03,
  SIMPLE_SIGNING_MEDIA_TYPE,
} from "./artifact_types.ts";
export { type ArtifactDescriptor, canonicalJson, checkDescriptor } from "./descriptor.ts";
export { discoverAttachments, type DiscoverOptions, DISCOVERY_LIMITS } from "./discover.ts";
export {
  AttachError,
  AttachLimitError,
  ManifestShapeError,
  type MergeRefusal,
  MergeRefusedError,
} from "./errors.ts";
export { mergeAccumulator, mergeCosignManifest, mergeReferrersIndex } from "./merge.ts";
export type { MergeResult } from "./merge_result.ts";
export {
  type Attachment,
  type AttachmentGraph,
  type AttachmentReader,
  type AttachmentScheme,
  countByRoot,
  type DiscoveryNote,
  type KindCounts,
  noKinds,
  type ReadCounts,
} from "./model.ts";
export { entryJson, referrersEntry, referrersIndex } from "./referrers_index.ts";
export {
  type AttachmentTag,
  attachmentTagsByDigest,
  COSIGN_SUFFIXES,
  type CosignSuffix,
  cosignTag,
  isAccumulatorTag,
  parseAttachmentTag,
  referrersTag,
} from "./tags.ts";
