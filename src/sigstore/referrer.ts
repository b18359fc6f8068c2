/**
 * A Sigstore bundle stored as an OCI 1.1 referrer of the image it signs, as cosign's bundle
 * specification lays it out: an image manifest with `artifactType` = the bundle media type, the
 * empty config, one layer holding the bundle JSON (titled `sha256-<hex>.sigstore.json`), the
 * image as `subject`, and annotations saying what the bundle holds and when it was made.
 */
import type { Descriptor } from "../registry/mod.ts";
import { blobOf, jsonBytes, manifestArtifact, OCI_EMPTY, type OciArtifact } from "./artifact.ts";
import { COSIGN_SIGN_PREDICATE } from "./in_toto.ts";

/** The media type of a v0.3 Sigstore bundle, also the referrer's `artifactType`. */
export const BUNDLE_V03_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

/** Annotation naming what a bundle holds: `dsse-envelope` or `message-signature`. */
export const BUNDLE_CONTENT_ANNOTATION = "dev.sigstore.bundle.content";

/** Annotation naming the in-toto predicate type of a DSSE bundle. */
export const BUNDLE_PREDICATE_ANNOTATION = "dev.sigstore.bundle.predicateType";

/** The OCI annotation of creation time (RFC 3339). */
export const CREATED_ANNOTATION = "org.opencontainers.image.created";

/** The OCI annotation of a layer's file name. */
export const TITLE_ANNOTATION = "org.opencontainers.image.title";

/** What the referrer says about its bundle. */
export interface ReferrerOptions {
  /** When the bundle was made; written to the second, as cosign does. */
  created: Date;
  /** `dsse-envelope` (default) or `message-signature`. */
  content?: "dsse-envelope" | "message-signature";
  /** The statement's predicate type for a DSSE bundle; cosign's image signature by default. */
  predicateType?: string;
}

/** RFC 3339 in UTC to the second: `2024-03-08T18:18:20Z`. */
export function rfc3339Seconds(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The referrer artifact holding `bundleJson` for the image `subject` (its manifest's media type,
 * digest and size): the manifest bytes and its two blobs (empty config, bundle).
 */
export function bundleReferrer(
  bundleJson: Uint8Array,
  subject: Descriptor,
  options: ReferrerOptions,
): OciArtifact {
  const config = blobOf(OCI_EMPTY, jsonBytes({}));
  const layer = blobOf(BUNDLE_V03_MEDIA_TYPE, bundleJson);
  layer.descriptor.annotations = {
    [TITLE_ANNOTATION]: `${layer.descriptor.digest.replace(":", "-")}.sigstore.json`,
  };
  const content = options.content ?? "dsse-envelope";
  const annotations: Record<string, string> = { [BUNDLE_CONTENT_ANNOTATION]: content };
  if (content === "dsse-envelope") {
    annotations[BUNDLE_PREDICATE_ANNOTATION] = options.predicateType ?? COSIGN_SIGN_PREDICATE;
  }
  annotations[CREATED_ANNOTATION] = rfc3339Seconds(options.created);
  const document = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    artifactType: BUNDLE_V03_MEDIA_TYPE,
    config: config.descriptor,
    layers: [layer.descriptor],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations,
  };
  return manifestArtifact(document, [config, layer]);
}
