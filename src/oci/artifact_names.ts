/**
 * The names signatures, attestations and SBOMs are stored under in OCI registries: media
 * types, predicate types and annotations, defined once for finding attachments (src/attach)
 * and for signing and verifying (src/sigstore). Facts relied on:
 *
 * - OCI image spec v1.1 (manifest.md, "Guidance for an Empty Descriptor"): the empty
 *   descriptor has media type `application/vnd.oci.empty.v1+json`, content `{}`, size 2 and
 *   digest `sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a`.
 * - cosign's SIGNATURE_SPEC.md: each signature is a layer of media type
 *   `application/vnd.dev.cosign.simplesigning.v1+json` with the annotations below.
 * - cosign's ATTESTATION_SPEC.md: each attestation is a layer holding a DSSE envelope.
 * - cosign's BUNDLE_SPEC.md: a Sigstore bundle stored as an OCI 1.1 referrer has `artifactType`
 *   `application/vnd.dev.sigstore.bundle.v0.3+json` and the annotation
 *   `dev.sigstore.bundle.predicateType` (`https://sigstore.dev/cosign/sign/v1` for an image
 *   signature).
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
/** The media type of a v0.3 Sigstore bundle, also the `artifactType` of its referrer. */
export const SIGSTORE_BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";
/** The predicate type of a cosign image signature. */
export const COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";

/** The layer annotations of a cosign signature. */
export const COSIGN_ANNOTATIONS = {
  /** The base64 signature over the payload bytes. */
  signature: "dev.cosignproject.cosign/signature",
  /** The PEM signing certificate. */
  certificate: "dev.sigstore.cosign/certificate",
  /** The PEM certificates above it, leaf's issuer first. */
  chain: "dev.sigstore.cosign/chain",
  /** JSON: the Rekor entry and its signed entry timestamp. */
  bundle: "dev.sigstore.cosign/bundle",
} as const;

/** Annotation naming the in-toto predicate type of a DSSE bundle referrer. */
export const BUNDLE_PREDICATE_ANNOTATION = "dev.sigstore.bundle.predicateType";
/** The OCI annotation of creation time (RFC 3339). */
export const CREATED_ANNOTATION = "org.opencontainers.image.created";
