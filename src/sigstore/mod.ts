/**
 * The Sigstore layer: verifying the signatures of OCI images against an explicit trust policy,
 * and signing image digests keylessly. A library with no I/O of its own besides the service
 * calls of signing, made through an injected fetch; it reads and writes no registry (it takes
 * and returns bytes and descriptors) and prints nothing.
 *
 * Verification. A signature of image `sha256:<hex>` is either a Sigstore bundle (v0.1–v0.3:
 * a DSSE envelope whose in-toto statement names the digest, cosign's image-signature predicate
 * by default, or a message signature over the manifest bytes), usually stored as an OCI
 * referrer of the image, or a layer of a legacy cosign `sha256-<hex>.sig` manifest
 * (simple-signing payload, signature, certificate and Rekor bundle annotations). It counts when
 * `@sigstore/verify` accepts it against the trusted root and its signer is allowed:
 *
 * - trust comes only from an explicit `trusted_root.json` (`loadTrustRoot`): its certificate
 *   authorities, transparency logs, CT logs and timestamp authorities. Nothing is fetched (no
 *   TUF) and there is no built-in default;
 * - the certificate must chain to a trusted CA and be valid at a verified time: a Rekor signed
 *   entry timestamp or an RFC 3161 timestamp from a trusted authority (at least one), carry an
 *   SCT from a trusted CT log, and the signature must be in a trusted transparency log (at
 *   least one entry, inclusion promise or proof verified);
 * - the signer (the certificate's SAN and OIDC issuer extension) must match one entry of the
 *   policy's `identities`, where each entry pairs a subject with the issuer that vouched for it
 *   (exact text, or a regular expression matching the whole text). Key-based signatures never
 *   count: policies name identities.
 *
 * Verification never throws for anything about a signature: it returns a `Verdict`, the
 * identity verified or the reason of refusal. What a refusal means for a promotion
 * (`mode: off | warn | require`) is the caller's decision.
 *
 * Signing (`KeylessSigner`). An identity token from a `TokenSource` (a file, an environment
 * variable, GitHub Actions' OIDC endpoint, or any provider function), an ephemeral P-256 key
 * held in memory only, a Fulcio certificate for it, and per image a DSSE envelope of cosign's
 * image-signature statement logged in Rekor (and timestamped when a timestamp authority is
 * configured), as a v0.3 bundle; `bundleReferrer` lays it out as the OCI referrer artifact of
 * cosign's bundle specification, and `cosignSignatureManifest` the legacy `.sig` manifest.
 *
 * Secrets. Identity tokens and private keys never appear in a message, result or error: errors
 * name the token's source, and any service answer is stripped of the token before it is quoted.
 *
 * `node:crypto` in Deno lacks the default digest Node uses for EC keys in `crypto.verify`, which
 * `@sigstore/core` relies on (verification would fail closed). The Sigstore libraries are only
 * reached through `sigstoreLibs()`, which installs the fix (`installCryptoShim`) before the
 * first of them is loaded.
 */
export {
  BUNDLE_PREDICATE_ANNOTATION,
  COSIGN_ANNOTATIONS,
  COSIGN_SIGN_PREDICATE,
  CREATED_ANNOTATION,
  IN_TOTO_MEDIA_TYPE,
  OCI_EMPTY_MEDIA_TYPE,
  SIGSTORE_BUNDLE_V03,
  SIMPLE_SIGNING_MEDIA_TYPE,
} from "../oci/mod.ts";
export { type AnnotatedDescriptor, blobOf, type OciArtifact, type OciBlob } from "./artifact.ts";
export {
  COSIGN_SIGNATURE_TYPE,
  type CosignLayer,
  cosignLayer,
  type CosignRekorBundle,
  cosignSignatureLayers,
  cosignSignatureManifest,
  cosignSignatureTag,
  simpleSigningPayload,
} from "./cosign_sig.ts";
export { verifyCosignLayer } from "./cosign_sig_verify.ts";
export {
  cryptoShimInstalled,
  installCryptoShim,
  type VerifyFunction,
  withDefaultDigest,
} from "./crypto_shim.ts";
export { PolicyError, scrub, ServiceError, SigstoreError, TokenError } from "./errors.ts";
export { type TokenClaims, tokenClaims } from "./identity_token.ts";
export { imageStatement, statementProblem } from "./in_toto.ts";
export { type ImageSignature, KeylessSigner, type KeylessSignerOptions } from "./keyless_signer.ts";
export { type SigstoreLibs, sigstoreLibs } from "./libs.ts";
export {
  type AllowedIdentity,
  allowedIdentity,
  describeMatcher,
  type Matcher,
  matches,
  parsePolicy,
  POLICY_MODES,
  type PolicyMode,
  type SignerIdentity,
  type TrustPolicy,
} from "./policy.ts";
export {
  BUNDLE_CONTENT_ANNOTATION,
  bundleReferrer,
  type ReferrerOptions,
  TITLE_ANNOTATION,
} from "./referrer.ts";
export {
  type GitHubActionsOptions,
  githubActionsToken,
  SIGSTORE_AUDIENCE,
  tokenFromEnv,
  tokenFromFile,
  tokenFromProvider,
  tokenFromValue,
  type TokenSource,
} from "./token_source.ts";
export { loadTrustRoot, type TrustRoot } from "./trusted_root.ts";
export {
  type RefusalReason,
  type Refused,
  type SignatureFormat,
  type Verdict,
  type Verified,
} from "./verdict.ts";
export { type ImageToVerify, verifyImageBundle, type VerifyOptions } from "./verify_bundle.ts";
