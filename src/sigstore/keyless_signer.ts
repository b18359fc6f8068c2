/**
 * Keyless signing of OCI image digests: an ephemeral P-256 key (in memory only), a Fulcio
 * certificate for it bound to the identity token's subject, and per image a DSSE envelope of
 * cosign's image-signature statement, logged in Rekor (and timestamped when a timestamp
 * authority is configured), packaged as a v0.3 Sigstore bundle. Optionally also the legacy
 * cosign `.sig` layer. The key and certificate are reused until the certificate nears expiry.
 */
import { COSIGN_ANNOTATIONS, IN_TOTO_MEDIA_TYPE } from "../oci/mod.ts";
import { Buffer } from "node:buffer";
import crypto from "node:crypto";
import { isDigest } from "../registry/mod.ts";
import { type CosignLayer, cosignLayer, simpleSigningPayload } from "./cosign_sig.ts";
import { SigstoreError } from "./errors.ts";
import { requestCertificate } from "./fulcio.ts";
import { tokenClaims } from "./identity_token.ts";
import { imageStatement } from "./in_toto.ts";
import { sigstoreLibs } from "./libs.ts";
import type { SignerIdentity } from "./policy.ts";
import {
  createRekorEntry,
  dsseProposal,
  hashedRekordProposal,
  toTransparencyLogEntry,
} from "./rekor.ts";
import { SIGSTORE_AUDIENCE, type TokenSource } from "./token_source.ts";
import { requestTimestamp } from "./tsa.ts";

/** Where to sign and with which identity. */
export interface KeylessSignerOptions {
  /** The identity token source. */
  token: TokenSource;
  /** Fulcio's base URL. */
  fulcioUrl: string;
  /** Rekor's base URL. */
  rekorUrl: string;
  /** A timestamp authority's base URL, for an RFC 3161 timestamp besides Rekor's. */
  tsaUrl?: string;
  /** The fetch for all service calls (default: global fetch). */
  fetch?: typeof fetch;
  /** The clock, epoch milliseconds (default: Date.now). */
  now?: () => number;
}

/** One image signed. */
export interface ImageSignature {
  /** The v0.3 Sigstore bundle's JSON bytes. */
  bundle: Uint8Array;
  /** The identity the certificate was issued for. */
  identity: SignerIdentity;
  /** The legacy cosign `.sig` layer, when asked for. */
  cosign?: CosignLayer;
}

interface Session {
  privateKey: crypto.KeyObject;
  chain: string[];
  der: Buffer;
  identity: SignerIdentity;
  notAfter: number;
}

/** Certificates are renewed when they expire within this margin. */
const RENEW_MARGIN_MS = 60_000;

/** Signs image digests keylessly; one instance per run. */
export class KeylessSigner {
  #options: KeylessSignerOptions;
  #current?: Promise<Session>;

  /** Nothing is fetched until the first signature. */
  constructor(options: KeylessSignerOptions) {
    this.#options = options;
  }

  async #newSession(): Promise<Session> {
    const { core } = await sigstoreLibs();
    const source = this.#options.token;
    const now = this.#options.now ?? Date.now;
    const token = await source.token(SIGSTORE_AUDIENCE);
    const claims = tokenClaims(token, source.name, now());
    const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const publicKeyPem = publicKey.export({ format: "pem", type: "spki" }).toString();
    const chain = await requestCertificate({
      url: this.#options.fulcioUrl,
      token,
      publicKeyPem,
      proofOfPossession: crypto.sign("sha256", Buffer.from(claims.subject), privateKey),
      fetch: this.#options.fetch ?? fetch,
    });
    const cert = core.X509Certificate.parse(chain[0]!);
    const v2 = cert.extension("1.3.6.1.4.1.57264.1.8")?.valueObj.subs?.[0]?.value.toString("ascii");
    const issuer = v2 ?? cert.extension("1.3.6.1.4.1.57264.1.1")?.value.toString("ascii") ?? "";
    return {
      privateKey,
      chain,
      der: Buffer.from(core.pem.toDER(chain[0]!)),
      identity: { subject: cert.subjectAltName ?? "", issuer },
      notAfter: cert.notAfter.getTime(),
    };
  }

  /** The current session, or a new one when there is none or its certificate nears expiry. */
  #session(): Promise<Session> {
    const now = (this.#options.now ?? Date.now)();
    const reusable = (this.#current ?? Promise.resolve(undefined)).then(
      (s) => (s && s.notAfter - RENEW_MARGIN_MS > now ? s : undefined),
      () => undefined,
    );
    this.#current = reusable.then((s) => s ?? this.#newSession());
    return this.#current;
  }

  /**
   * The identity signatures are made for, from the signing certificate (obtained now when there
   * is none yet). Throws SigstoreError (TokenError, ServiceError) saying what failed.
   */
  async identity(): Promise<SignerIdentity> {
    try {
      return (await this.#session()).identity;
    } catch (e) {
      throw new SigstoreError("Cannot get a signing certificate", {
        cause: e,
        temporary: e instanceof SigstoreError && e.temporary,
      });
    }
  }

  /**
   * Signs the image `digest`; with `cosignReference` (the `docker-reference` to name, e.g. the
   * repository it is promoted to) also makes the legacy cosign `.sig` layer. Throws
   * SigstoreError (TokenError, ServiceError) saying what failed.
   */
  async signImage(
    digest: string,
    options: { cosignReference?: string } = {},
  ): Promise<ImageSignature> {
    if (!isDigest(digest)) {
      throw new TypeError(`Cannot sign ${JSON.stringify(digest)}: not a digest`);
    }
    try {
      const session = await this.#session();
      const [bundle, cosign] = await Promise.all([
        this.#bundle(session, digest),
        options.cosignReference === undefined
          ? undefined
          : this.#cosign(session, digest, options.cosignReference),
      ]);
      return cosign
        ? { bundle, identity: session.identity, cosign }
        : { bundle, identity: session.identity };
    } catch (e) {
      throw new SigstoreError(`Cannot sign ${digest}`, {
        cause: e,
        temporary: e instanceof SigstoreError && e.temporary,
      });
    }
  }

  async #bundle(session: Session, digest: string): Promise<Uint8Array> {
    const { bundle: lib, core } = await sigstoreLibs();
    const doFetch = this.#options.fetch ?? fetch;
    const payload = Buffer.from(imageStatement(digest));
    const pae = core.dsse.preAuthEncoding(IN_TOTO_MEDIA_TYPE, payload);
    const signature = crypto.sign("sha256", pae, session.privateKey);
    const bundle = lib.toDSSEBundle({
      artifact: payload,
      artifactType: IN_TOTO_MEDIA_TYPE,
      signature,
      certificate: session.der,
      certificateChain: false,
    });
    const envelope = JSON.stringify(lib.envelopeToJSON(bundle.content.dsseEnvelope));
    const [entry, timestamp] = await Promise.all([
      createRekorEntry(this.#options.rekorUrl, dsseProposal(envelope, session.chain[0]!), doFetch),
      this.#options.tsaUrl === undefined
        ? undefined
        : requestTimestamp(this.#options.tsaUrl, signature, doFetch),
    ]);
    bundle.verificationMaterial.tlogEntries = [toTransparencyLogEntry(entry)];
    bundle.verificationMaterial.timestampVerificationData = {
      rfc3161Timestamps: timestamp ? [{ signedTimestamp: Buffer.from(timestamp) }] : [],
    };
    return new TextEncoder().encode(JSON.stringify(lib.bundleToJSON(bundle)));
  }

  async #cosign(session: Session, digest: string, reference: string): Promise<CosignLayer> {
    const payload = simpleSigningPayload(digest, reference);
    const signature = crypto.sign("sha256", payload, session.privateKey);
    const sha = crypto.createHash("sha256").update(payload).digest("hex");
    const entry = await createRekorEntry(
      this.#options.rekorUrl,
      hashedRekordProposal(sha, signature, session.chain[0]!),
      this.#options.fetch ?? fetch,
    );
    const rekorBundle = {
      SignedEntryTimestamp: entry.verification?.signedEntryTimestamp ?? "",
      Payload: {
        body: entry.body,
        integratedTime: entry.integratedTime,
        logIndex: entry.logIndex,
        logID: entry.logID,
      },
    };
    const annotations: Record<string, string> = {
      [COSIGN_ANNOTATIONS.signature]: Buffer.from(signature).toString("base64"),
      [COSIGN_ANNOTATIONS.bundle]: JSON.stringify(rekorBundle),
      [COSIGN_ANNOTATIONS.certificate]: session.chain[0]!,
    };
    if (session.chain.length > 1) {
      annotations[COSIGN_ANNOTATIONS.chain] = session.chain.slice(1).join("");
    }
    return cosignLayer(payload, annotations);
  }
}
