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

/** The media type of the OCI empty descriptor (`{}`). */
export const OCI_EMPTY_MEDIA_TYPE = "application/vnd.oci.empty.v1+json";
/** The digest of `{}`, the empty descriptor's content. */
export const OCI_EMPTY_DIGEST =
  "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
/** The size of `{}`. */
export const OCI_EMPTY_SIZE = 2;

/** The layer media type of a cosign signature (a simple-signing payload). */
export const SIMPLE_SIGNING_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
/** The layer media type of a cosign attestation (a DSSE envelope). */
export const DSSE_ENVELOPE_MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";
/** The DSSE payload type of in-toto statements, also an `artifactType` of attestations. */
export const IN_TOTO_MEDIA_TYPE = "application/vnd.in-toto+json";
/** The `artifactType` of a v0.3 Sigstore bundle referrer. */
export const SIGSTORE_BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";
/** The `artifactType` of a Notary Project signature. */
export const NOTARY_SIGNATURE = "application/vnd.cncf.notary.signature";
/** The predicate type cosign gives an image signature inside a Sigstore bundle. */
export const COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";

/** The layer annotations of a cosign signature. */
export const COSIGN_SIGNATURE_ANNOTATIONS = {
  /** The base64 signature over the payload. */
  signature: "dev.cosignproject.cosign/signature",
  /** The PEM signing certificate. */
  certificate: "dev.sigstore.cosign/certificate",
  /** The PEM chain above the certificate. */
  chain: "dev.sigstore.cosign/chain",
  /** The Rekor entry and its signed entry timestamp, as JSON. */
  bundle: "dev.sigstore.cosign/bundle",
} as const;

/** The layer annotation `cosign attest` writes with the statement's predicate type. */
export const COSIGN_PREDICATE_ANNOTATION = "predicateType";
/** The referrer annotation of a Sigstore bundle naming its statement's predicate type. */
export const BUNDLE_PREDICATE_ANNOTATION = "dev.sigstore.bundle.predicateType";
/** The OCI annotation of creation time, which oras writes on every manifest it pushes. */
export const CREATED_ANNOTATION = "org.opencontainers.image.created";

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
