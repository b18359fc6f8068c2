/**
 * Verifying one layer of a legacy cosign `.sig` manifest: the payload must be a cosign
 * simple-signing payload naming the image digest, and its signature, certificate and Rekor
 * entry (with signed entry timestamp) are checked by `@sigstore/verify` as the equivalent
 * v0.1 message-signature bundle over the payload bytes.
 */
import { COSIGN_ANNOTATIONS, SIMPLE_SIGNING_MEDIA_TYPE } from "../oci/mod.ts";
import type { Bundle, TransparencyLogEntry } from "@sigstore/bundle";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { isDigest } from "../registry/mod.ts";
import { COSIGN_SIGNATURE_TYPE, type CosignLayer, type CosignRekorBundle } from "./cosign_sig.ts";
import { sigstoreLibs } from "./libs.ts";
import { errorText } from "./trusted_root.ts";
import { refuse, type Verdict, verifyAgainstPolicy } from "./verdict.ts";
import type { VerifyOptions } from "./verify_bundle.ts";

const FORMAT = "cosign-sig";

class Unreadable extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function pemToDer(pem: string): Buffer {
  const match = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem);
  if (!match) throw new Unreadable("its certificate annotation is not a PEM certificate");
  return Buffer.from(match[1]!.replace(/\s+/g, ""), "base64");
}

function payloadDigest(payload: Uint8Array): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    throw new Unreadable("its payload is not JSON");
  }
  const critical = isRecord(doc) ? doc.critical : undefined;
  if (!isRecord(critical) || critical.type !== COSIGN_SIGNATURE_TYPE || !isRecord(critical.image)) {
    throw new Unreadable("its payload is not a cosign image signature payload");
  }
  const image = critical.image;
  const key = Object.keys(image).find((k) => k.toLowerCase() === "docker-manifest-digest");
  const digest = key === undefined ? undefined : image[key];
  return typeof digest === "string" ? digest : undefined;
}

function tlogEntry(annotation: string, leaf: Buffer): TransparencyLogEntry {
  let rekor: CosignRekorBundle;
  let body: Record<string, unknown>;
  try {
    rekor = JSON.parse(annotation);
    body = JSON.parse(Buffer.from(rekor.Payload.body, "base64").toString("utf8"));
  } catch {
    throw new Unreadable("its Rekor bundle annotation cannot be read");
  }
  const spec = isRecord(body.spec) ? body.spec : {};
  const key = isRecord(spec.signature) && isRecord(spec.signature.publicKey)
    ? spec.signature.publicKey.content
    : undefined;
  if (body.kind === "hashedrekord" && typeof key === "string") {
    const logged = pemToDer(Buffer.from(key, "base64").toString("utf8"));
    if (!logged.equals(leaf)) throw new Unreadable("its Rekor entry names another certificate");
  }
  return {
    logIndex: String(rekor.Payload.logIndex),
    logId: { keyId: Buffer.from(rekor.Payload.logID, "hex") },
    kindVersion: { kind: String(body.kind), version: String(body.apiVersion) },
    integratedTime: String(rekor.Payload.integratedTime),
    inclusionPromise: { signedEntryTimestamp: Buffer.from(rekor.SignedEntryTimestamp, "base64") },
    inclusionProof: undefined,
    canonicalizedBody: Buffer.from(rekor.Payload.body, "base64"),
  };
}

/**
 * Verifies one cosign signature layer (descriptor with annotations, and the payload blob) as a
 * signature of the image `digest`. Every problem is a refusal; throws TypeError only when
 * `digest` is not a `sha256:` digest.
 */
export async function verifyCosignLayer(
  layer: CosignLayer,
  digest: string,
  options: VerifyOptions,
): Promise<Verdict> {
  if (!isDigest(digest)) {
    throw new TypeError(`Cannot verify a signature of ${JSON.stringify(digest)}: not a digest`);
  }
  const { descriptor, payload } = layer;
  if (descriptor.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE) {
    return refuse(
      FORMAT,
      "not-a-signature",
      `its layer is ${descriptor.mediaType}, not simple signing`,
    );
  }
  const payloadSha = createHash("sha256").update(payload).digest("hex");
  if (descriptor.digest !== `sha256:${payloadSha}`) {
    return refuse(FORMAT, "malformed", "its payload does not match the layer's digest");
  }
  const annotations = descriptor.annotations ?? {};
  const signature = annotations[COSIGN_ANNOTATIONS.signature];
  const certificate = annotations[COSIGN_ANNOTATIONS.certificate];
  const rekor = annotations[COSIGN_ANNOTATIONS.bundle];
  let bundle: Bundle;
  try {
    const signed = payloadDigest(payload);
    if (signed !== digest) {
      return refuse(
        FORMAT,
        "not-this-image",
        `its payload names ${signed ?? "no digest"}, not ${digest}`,
      );
    }
    if (!signature) throw new Unreadable("it has no signature annotation");
    if (!certificate) {
      return refuse(FORMAT, "untrusted", "it is signed with a key, not a Sigstore certificate");
    }
    if (!rekor) return refuse(FORMAT, "untrusted", "it has no Rekor entry (bundle annotation)");
    const leaf = pemToDer(certificate);
    const { bundle: lib, specs } = await sigstoreLibs();
    bundle = {
      mediaType: lib.BUNDLE_V01_MEDIA_TYPE,
      verificationMaterial: {
        content: {
          $case: "x509CertificateChain",
          x509CertificateChain: { certificates: [{ rawBytes: leaf }] },
        },
        tlogEntries: [tlogEntry(rekor, leaf)],
        timestampVerificationData: { rfc3161Timestamps: [] },
      },
      content: {
        $case: "messageSignature",
        messageSignature: {
          messageDigest: {
            algorithm: specs.HashAlgorithm.SHA2_256,
            digest: Buffer.from(payloadSha, "hex"),
          },
          signature: Buffer.from(signature, "base64"),
        },
      },
    };
  } catch (e) {
    const why = e instanceof Unreadable
      ? e.message
      : `its annotations cannot be read (${errorText(e)})`;
    return refuse(FORMAT, "malformed", why);
  }
  return verifyAgainstPolicy(
    FORMAT,
    bundle,
    Buffer.from(payload),
    options.trust,
    options.identities,
  );
}
