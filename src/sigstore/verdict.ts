/**
 * What verifying one signature of an image concludes: the identity it was verified for, or a
 * refusal with its reason. Shared by Sigstore bundles and cosign `.sig` layers, and the one
 * place that runs `@sigstore/verify` and turns its errors into refusals.
 */
import type { Bundle } from "@sigstore/bundle";
import type { Buffer } from "node:buffer";
import { sigstoreLibs } from "./libs.ts";
import { type AllowedIdentity, allowedIdentity, type SignerIdentity } from "./policy.ts";
import type { TrustRoot } from "./trusted_root.ts";

/** Where a signature came from: a Sigstore bundle, or a layer of a cosign `.sig` manifest. */
export type SignatureFormat = "sigstore-bundle" | "cosign-sig";

/**
 * Why a signature does not count: it cannot be read (`malformed`), it is not an image
 * signature (`not-a-signature`), it is about another image (`not-this-image`), it does not
 * verify against the trusted root (`untrusted`), or its signer is not allowed (`identity`).
 */
export type RefusalReason =
  | "malformed"
  | "not-a-signature"
  | "not-this-image"
  | "untrusted"
  | "identity";

/** A signature that verified and whose signer the policy allows. */
export interface Verified {
  ok: true;
  format: SignatureFormat;
  /** The signer, from the verified certificate. */
  identity: SignerIdentity;
  /** The policy entry the signer matched. */
  allowedBy: AllowedIdentity;
}

/** A signature that does not count, and why. */
export interface Refused {
  ok: false;
  format: SignatureFormat;
  reason: RefusalReason;
  /** What is wrong, in words; never contains a secret. */
  message: string;
  /** The signer, when the signature verified but the signer is not allowed. */
  identity?: SignerIdentity;
}

/** The outcome of verifying one signature. */
export type Verdict = Verified | Refused;

/** A refusal. */
export function refuse(
  format: SignatureFormat,
  reason: RefusalReason,
  message: string,
  identity?: SignerIdentity,
): Refused {
  return identity
    ? { ok: false, format, reason, message, identity }
    : { ok: false, format, reason, message };
}

function libraryReason(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: unknown }).code;
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : "";
  const text = `${e.message}${cause}${typeof code === "string" ? ` (${code})` : ""}`;
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/**
 * Verifies `bundle` (over `artifact` for a message signature) against the trusted root: the
 * certificate chains to a trusted CA at a verified time, it carries an SCT, the signature and
 * the transparency log entry verify, and the signer matches one of `identities`.
 */
export async function verifyAgainstPolicy(
  format: SignatureFormat,
  bundle: Bundle,
  artifact: Buffer | undefined,
  trust: TrustRoot,
  identities: readonly AllowedIdentity[],
): Promise<Verdict> {
  const { verify } = await sigstoreLibs();
  let subject: string | undefined;
  let issuer: string | undefined;
  try {
    const entity = verify.toSignedEntity(bundle, artifact);
    if (entity.key.$case !== "certificate") {
      return refuse(format, "untrusted", "it is signed with a key, not a Sigstore certificate");
    }
    const signer = new verify.Verifier(trust.material).verify(entity);
    subject = signer.identity?.subjectAlternativeName;
    issuer = signer.identity?.extensions?.issuer;
  } catch (e) {
    return refuse(
      format,
      "untrusted",
      `it does not verify against the trusted root ${trust.source}: ${libraryReason(e)}`,
    );
  }
  if (!subject || !issuer) {
    return refuse(format, "identity", "its certificate names no subject or no OIDC issuer");
  }
  const identity = { subject, issuer };
  const allowedBy = allowedIdentity(identities, identity);
  if (!allowedBy) {
    return refuse(
      format,
      "identity",
      `it is signed by ${JSON.stringify(subject)} (issuer ${JSON.stringify(issuer)}), ` +
        "which the policy does not allow",
      identity,
    );
  }
  return { ok: true, format, identity, allowedBy };
}
