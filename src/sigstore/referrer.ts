/**
 * A Sigstore bundle stored as an OCI 1.1 referrer of the image it signs, as cosign's bundle
 * specification lays it out: an image manifest with `artifactType` = the bundle media type, the
 * empty config, one layer holding the bundle JSON (titled `sha256-<hex>.sigstore.json`), the
 * image as `subject`, and annotations saying what the bundle holds and when it was made.
 */
import {
  BUNDLE_PREDICATE_ANNOTATION,
  COSIGN_SIGN_PREDICATE,
  CREATED_ANNOTATION,
  OCI_EMPTY_MEDIA_TYPE,
  SIGSTORE_BUNDLE_V03,
} from "../oci/mod.ts";
import type { Descriptor } from "../registry/mod.ts";
import { blobOf, jsonBytes, manifestArtifact, type OciArtifact } from "./artifact.ts";

/** Annotation naming what a bundle holds: `dsse-envelope` or `message-signature`. */
export const BUNDLE_CONTENT_ANNOTATION = "dev.sigstore.bundle.content";

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
  const config = blobOf(OCI_EMPTY_MEDIA_TYPE, jsonBytes({}));
  const layer = blobOf(SIGSTORE_BUNDLE_V03, bundleJson);
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
    artifactType: SIGSTORE_BUNDLE_V03,
    config: config.descriptor,
    layers: [layer.descriptor],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations,
  };
  return manifestArtifact(document, [config, layer]);
}
