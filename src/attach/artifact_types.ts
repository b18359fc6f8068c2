/**
 * The media types and annotations by which signatures, attestations and SBOMs are told apart,
 * and the kind of an attachment. Facts relied on:
 *
 * - OCI image spec v1.1 (manifest.md, "Guidance for an Empty Descriptor"): the empty
 *   descriptor has media type `application/vnd.oci.empty.v1+json`, content `{}`, size 2 and
 *   digest `sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a`; an
 *   artifact whose config is the empty descriptor MUST set `artifactType`; tools fall back to
 *   `config.mediaType` when `artifactType` is missing.
 * - cosign's SIGNATURE_SPEC.md: each signature is a layer of media type
 *   `application/vnd.dev.cosign.simplesigning.v1+json`, with the annotations
 *   `dev.cosignproject.cosign/signature` (base64 signature), `dev.sigstore.cosign/certificate`,
 *   `dev.sigstore.cosign/chain` (PEM) and `dev.sigstore.cosign/bundle` (Rekor entry JSON).
 * - cosign's ATTESTATION_SPEC.md: each attestation is a layer holding a DSSE envelope,
 *   `application/vnd.dsse.envelope.v1+json`; `cosign attest` annotates it with `predicateType`.
 * - cosign's SBOM_SPEC.md: each SBOM is a layer whose media type names its format:
 *   `text/spdx`, `application/vnd.cyclonedx`, with suffixes such as `+json` and `+xml`.
 * - cosign's BUNDLE_SPEC.md: a Sigstore bundle stored as an OCI 1.1 referrer has
 *   `artifactType` `application/vnd.dev.sigstore.bundle.v0.3+json` (older bundles
 *   `application/vnd.dev.sigstore.bundle+json;version=0.x`) and the annotation
 *   `dev.sigstore.bundle.predicateType`, cosign's `https://sigstore.dev/cosign/sign/v1` for an
 *   image signature and the statement's predicate type for an attestation.
 * - Notary Project signatures are referrers of `artifactType`
 *   `application/vnd.cncf.notary.signature`; in-toto attestations use
 *   `application/vnd.in-toto+json` (the DSSE payload type).
 */

import {
  BUNDLE_PREDICATE_ANNOTATION,
  COSIGN_SIGN_PREDICATE,
  DSSE_ENVELOPE_MEDIA_TYPE,
  IN_TOTO_MEDIA_TYPE,
  SIMPLE_SIGNING_MEDIA_TYPE,
} from "../oci/mod.ts";
export {
  BUNDLE_PREDICATE_ANNOTATION,
  COSIGN_ANNOTATIONS,
  COSIGN_SIGN_PREDICATE,
  CREATED_ANNOTATION,
  DSSE_ENVELOPE_MEDIA_TYPE,
  IN_TOTO_MEDIA_TYPE,
  OCI_EMPTY_DIGEST,
  OCI_EMPTY_MEDIA_TYPE,
  OCI_EMPTY_SIZE,
  SIGSTORE_BUNDLE_V03,
  SIMPLE_SIGNING_MEDIA_TYPE,
} from "../oci/mod.ts";
/** The `artifactType` of a Notary Project signature. */
export const NOTARY_SIGNATURE = "application/vnd.cncf.notary.signature";

/** The layer annotation `cosign attest` writes with the statement's predicate type. */
export const COSIGN_PREDICATE_ANNOTATION = "predicateType";

/** What an attachment is. */
export type AttachmentKind = "signature" | "attestation" | "sbom" | "other";

/** Every kind, in the order reports list them. */
export const ATTACHMENT_KINDS: readonly AttachmentKind[] = [
  "signature",
  "attestation",
  "sbom",
  "other",
];

/** A media type without parameters, lowercased: `a/b+json; version=1` -> `a/b+json`. */
function bare(mediaType: string): string {
  return mediaType.split(";")[0]!.trim().toLowerCase();
}

/** Whether a media type names an SBOM format: SPDX, CycloneDX or Syft, any suffix. */
export function isSbomMediaType(mediaType: string): boolean {
  const t = bare(mediaType);
  return t === "text/spdx" || t.startsWith("text/spdx+") ||
    t === "application/spdx" || t.startsWith("application/spdx+") ||
    t === "application/vnd.cyclonedx" || t.startsWith("application/vnd.cyclonedx+") ||
    t === "application/vnd.syft+json";
}

/** Whether a media type is a Sigstore bundle, of any version. */
export function isSigstoreBundle(mediaType: string): boolean {
  return bare(mediaType).startsWith("application/vnd.dev.sigstore.bundle");
}

/**
 * The kind of an OCI 1.1 referrer from its `artifactType` (or its config media type, where it
 * has none) and its annotations: a Sigstore bundle is a signature when it carries cosign's
 * signing predicate (or none: a message signature), else an attestation.
 */
export function referrerKind(
  artifactType: string | undefined,
  annotations: Readonly<Record<string, string>> = {},
): AttachmentKind {
  if (artifactType === undefined || artifactType === "") return "other";
  const t = bare(artifactType);
  if (isSigstoreBundle(t)) {
    const predicate = annotations[BUNDLE_PREDICATE_ANNOTATION];
    return predicate === undefined || predicate === COSIGN_SIGN_PREDICATE
      ? "signature"
      : "attestation";
  }
  if (t === NOTARY_SIGNATURE || t === SIMPLE_SIGNING_MEDIA_TYPE) return "signature";
  if (t === DSSE_ENVELOPE_MEDIA_TYPE || t === IN_TOTO_MEDIA_TYPE) return "attestation";
  if (isSbomMediaType(t)) return "sbom";
  return "other";
}
