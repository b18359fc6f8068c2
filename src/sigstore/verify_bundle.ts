/**
 * Verifying a Sigstore bundle (v0.1 to v0.3, as `@sigstore/bundle` reads them) as a signature of
 * one OCI image: a DSSE envelope whose in-toto statement names the image digest, or a message
 * signature over the image manifest's bytes.
 */
import { COSIGN_SIGN_PREDICATE } from "../oci/mod.ts";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { isDigest } from "../registry/mod.ts";
import { statementProblem } from "./in_toto.ts";
import { sigstoreLibs } from "./libs.ts";
import type { AllowedIdentity } from "./policy.ts";
import { errorText, type TrustRoot } from "./trusted_root.ts";
import { refuse, type Verdict, verifyAgainstPolicy } from "./verdict.ts";

/** The image a signature must be about. */
export interface ImageToVerify {
  /** The image manifest's digest, `sha256:<hex>`. */
  digest: string;
  /** The manifest's exact bytes; needed only for message-signature bundles. */
  manifest?: Uint8Array;
}

/** What a signature is checked against. */
export interface VerifyOptions {
  /** The trusted root. */
  trust: TrustRoot;
  /** Signers whose signatures count. */
  identities: readonly AllowedIdentity[];
  /**
   * In-toto predicate types accepted as signatures in DSSE bundles; by default only cosign's
   * image signature (`https://sigstore.dev/cosign/sign/v1`).
   */
  predicateTypes?: readonly string[];
}

function checkDigest(image: ImageToVerify): void {
  if (!isDigest(image.digest)) {
    throw new TypeError(
      `Cannot verify a signature of ${JSON.stringify(image.digest)}: not a digest`,
    );
  }
}

function decode(bytes: Uint8Array | string): unknown {
  return JSON.parse(typeof bytes === "string" ? bytes : new TextDecoder().decode(bytes));
}

/**
 * Verifies one Sigstore bundle (its JSON bytes) as a signature of `image`. Never throws for
 * anything about the bundle: every problem is a refusal with its reason. Throws TypeError when
 * `image.digest` is not a `sha256:` digest.
 */
export async function verifyImageBundle(
  bundleJson: Uint8Array | string,
  image: ImageToVerify,
  options: VerifyOptions,
): Promise<Verdict> {
  checkDigest(image);
  const format = "sigstore-bundle";
  const libs = await sigstoreLibs();
  let bundle;
  try {
    bundle = libs.bundle.bundleFromJSON(decode(bundleJson));
  } catch (e) {
    return refuse(format, "malformed", `it is not a Sigstore bundle: ${errorText(e)}`);
  }
  const hex = image.digest.slice("sha256:".length);
  let artifact: Buffer | undefined;
  if (bundle.content.$case === "messageSignature") {
    const signed = bundle.content.messageSignature.messageDigest;
    if (!signed || Buffer.from(signed.digest).toString("hex") !== hex) {
      return refuse(format, "not-this-image", `its message digest is not ${image.digest}`);
    }
    if (image.manifest === undefined) {
      return refuse(
        format,
        "untrusted",
        "it is a message signature, which can only be checked against the image manifest's bytes",
      );
    }
    if (createHash("sha256").update(image.manifest).digest("hex") !== hex) {
      throw new TypeError(`The manifest bytes given for ${image.digest} have another digest`);
    }
    artifact = Buffer.from(image.manifest);
  }
  const verdict = await verifyAgainstPolicy(
    format,
    bundle,
    artifact,
    options.trust,
    options.identities,
  );
  const untrusted = !verdict.ok && verdict.reason === "untrusted";
  if (bundle.content.$case === "dsseEnvelope" && !untrusted) {
    const envelope = bundle.content.dsseEnvelope;
    const problem = statementProblem(
      envelope.payloadType,
      envelope.payload,
      image.digest,
      options.predicateTypes ?? [COSIGN_SIGN_PREDICATE],
    );
    if (problem) return refuse(format, problem.kind, problem.message);
  }
  return verdict;
}
