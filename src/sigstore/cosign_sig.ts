/**
 * The legacy cosign signature layout (cosign's signature specification): signatures of image
 * `sha256:<hex>` live under the tag `sha256-<hex>.sig` of the same repository, in an OCI image
 * manifest with one layer per signature. Each layer is a simple-signing payload
 * (`application/vnd.dev.cosign.simplesigning.v1+json`) naming the image digest; its descriptor
 * carries the base64 signature, the PEM certificate and chain, and the Rekor entry with its
 * signed entry timestamp (the "bundle" annotation) as annotations.
 */
import { SIMPLE_SIGNING_MEDIA_TYPE } from "../oci/mod.ts";
import { type Descriptor, isDigest } from "../registry/mod.ts";
import {
  type AnnotatedDescriptor,
  blobOf,
  jsonBytes,
  manifestArtifact,
  type OciArtifact,
  type OciBlob,
} from "./artifact.ts";
import { SigstoreError } from "./errors.ts";

/** The `critical.type` of a cosign image signature payload. */
export const COSIGN_SIGNATURE_TYPE = "cosign container image signature";

/** The Rekor entry of the `bundle` annotation. */
export interface CosignRekorBundle {
  /** Base64 signature of the log over the payload below. */
  SignedEntryTimestamp: string;
  Payload: {
    /** Base64 canonical entry body. */
    body: string;
    /** Seconds since the epoch. */
    integratedTime: number;
    logIndex: number;
    /** Hex SHA-256 of the log's public key. */
    logID: string;
  };
}

/** One signature: its layer descriptor (with annotations) and its payload bytes. */
export interface CosignLayer {
  descriptor: AnnotatedDescriptor;
  payload: Uint8Array;
}

/** The tag holding the cosign signatures of `digest`: `sha256-<hex>.sig`. */
export function cosignSignatureTag(digest: string): string {
  if (!isDigest(digest)) throw new TypeError(`Not a digest: ${JSON.stringify(digest)}`);
  return `${digest.replace(":", "-")}.sig`;
}

/** The simple-signing payload cosign signs for `digest` pushed as `dockerReference`. */
export function simpleSigningPayload(digest: string, dockerReference: string): Uint8Array {
  return jsonBytes({
    critical: {
      identity: { "docker-reference": dockerReference },
      image: { "docker-manifest-digest": digest },
      type: COSIGN_SIGNATURE_TYPE,
    },
    optional: null,
  });
}

/** A signature layer for `payload` with the given annotations. */
export function cosignLayer(payload: Uint8Array, annotations: Record<string, string>): CosignLayer {
  return {
    descriptor: blobOf(SIMPLE_SIGNING_MEDIA_TYPE, payload, annotations).descriptor,
    payload,
  };
}

function configFor(layers: readonly Descriptor[]): Uint8Array {
  // The config go-containerregistry writes for an empty image with these layers appended, as
  // cosign pushes it; verifiers ignore it.
  const epoch = "0001-01-01T00:00:00Z";
  return jsonBytes({
    architecture: "",
    created: epoch,
    history: layers.map(() => ({ created: epoch })),
    os: "",
    rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) },
    config: {},
  });
}

/**
 * The `.sig` manifest holding `layers` in order, with its config and payload blobs. Merging
 * with a `.sig` manifest already in a registry is the caller's (keep its layers first).
 */
export function cosignSignatureManifest(layers: readonly CosignLayer[]): OciArtifact {
  if (layers.length === 0) throw new TypeError("A cosign signature manifest needs a layer");
  const config = blobOf(
    "application/vnd.oci.image.config.v1+json",
    configFor(layers.map((l) => l.descriptor)),
  );
  const blobs: OciBlob[] = [config];
  for (const l of layers) {
    if (!blobs.some((b) => b.descriptor.digest === l.descriptor.digest)) {
      blobs.push({ descriptor: l.descriptor, bytes: l.payload });
    }
  }
  const document = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: config.descriptor,
    layers: layers.map((l) => l.descriptor),
  };
  return manifestArtifact(document, blobs);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The simple-signing layer descriptors of a `.sig` manifest (its exact bytes); other layers are
 * left out. Throws SigstoreError when the bytes are not an image manifest.
 */
export function cosignSignatureLayers(manifest: Uint8Array): AnnotatedDescriptor[] {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(manifest));
  } catch (e) {
    throw new SigstoreError("Cannot read a cosign signature manifest: it is not JSON", {
      cause: e,
    });
  }
  if (!isRecord(doc) || !Array.isArray(doc.layers)) {
    throw new SigstoreError("Cannot read a cosign signature manifest: it has no layers");
  }
  return doc.layers.filter((l): l is AnnotatedDescriptor =>
    isRecord(l) && l.mediaType === SIMPLE_SIGNING_MEDIA_TYPE && typeof l.digest === "string" &&
    typeof l.size === "number" && (l.annotations === undefined || isRecord(l.annotations))
  );
}
