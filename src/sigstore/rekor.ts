/**
 * Rekor v1's `POST /api/v1/log/entries`: a proposed entry in, the logged entry out (its
 * canonical body, integration time, index, log id, signed entry timestamp and inclusion proof),
 * turned into the bundle's transparency log entry. Proposals: `dsse` v0.0.1 for DSSE envelopes,
 * `hashedrekord` v0.0.1 for signatures over a digest.
 */
import type { TransparencyLogEntry } from "@sigstore/bundle";
import { Buffer } from "node:buffer";
import { ServiceError } from "./errors.ts";
import { endpoint, postJson, responseJson, type ServiceCall } from "./service_http.ts";

/** An entry as Rekor v1 answers it (the value under the entry's UUID). */
export interface RekorLogEntry {
  /** Base64 canonical body. */
  body: string;
  integratedTime: number;
  /** Hex SHA-256 of the log's key. */
  logID: string;
  logIndex: number;
  verification?: {
    signedEntryTimestamp?: string;
    inclusionProof?: {
      logIndex: number;
      treeSize: number;
      rootHash: string;
      hashes: string[];
      checkpoint: string;
    };
  };
}

/** A `dsse` v0.0.1 proposal: the envelope's JSON text and the signing certificate (PEM). */
export function dsseProposal(envelopeJson: string, certificatePem: string): unknown {
  return {
    apiVersion: "0.0.1",
    kind: "dsse",
    spec: { proposedContent: { envelope: envelopeJson, verifiers: [btoa(certificatePem)] } },
  };
}

/** A `hashedrekord` v0.0.1 proposal: a SHA-256 (hex), the signature and certificate (PEM). */
export function hashedRekordProposal(
  sha256Hex: string,
  signature: Uint8Array,
  certificatePem: string,
): unknown {
  return {
    apiVersion: "0.0.1",
    kind: "hashedrekord",
    spec: {
      data: { hash: { algorithm: "sha256", value: sha256Hex } },
      signature: {
        content: Buffer.from(signature).toString("base64"),
        publicKey: { content: btoa(certificatePem) },
      },
    },
  };
}

function isEntry(v: unknown): v is RekorLogEntry {
  if (typeof v !== "object" || v === null) return false;
  const e = v as Record<string, unknown>;
  return typeof e.body === "string" && typeof e.integratedTime === "number" &&
    typeof e.logID === "string" && typeof e.logIndex === "number";
}

/** Logs `proposal` in the Rekor at `url`; the entry as Rekor answered it. */
export async function createRekorEntry(
  url: string,
  proposal: unknown,
  doFetch: typeof fetch,
): Promise<RekorLogEntry> {
  const call: ServiceCall = {
    service: "Rekor",
    what: "a transparency log entry",
    url: endpoint(url, "/api/v1/log/entries"),
    body: proposal,
    fetch: doFetch,
  };
  const json = await responseJson(await postJson(call), call);
  const entry = typeof json === "object" && json !== null ? Object.values(json)[0] : undefined;
  if (!isEntry(entry)) throw new ServiceError(call.service, call.what, "the answer holds no entry");
  return entry;
}

/** The bundle's form of a Rekor v1 entry. */
export function toTransparencyLogEntry(entry: RekorLogEntry): TransparencyLogEntry {
  const body = Buffer.from(entry.body, "base64");
  const { kind, apiVersion } = JSON.parse(body.toString("utf8")) as Record<string, string>;
  const set = entry.verification?.signedEntryTimestamp;
  const proof = entry.verification?.inclusionProof;
  return {
    logIndex: String(entry.logIndex),
    logId: { keyId: Buffer.from(entry.logID, "hex") },
    kindVersion: { kind: String(kind), version: String(apiVersion) },
    integratedTime: String(entry.integratedTime),
    inclusionPromise: set ? { signedEntryTimestamp: Buffer.from(set, "base64") } : undefined,
    inclusionProof: proof
      ? {
        logIndex: String(proof.logIndex),
        treeSize: String(proof.treeSize),
        rootHash: Buffer.from(proof.rootHash, "hex"),
        hashes: proof.hashes.map((h) => Buffer.from(h, "hex")),
        checkpoint: { envelope: proof.checkpoint },
      }
      : undefined,
    canonicalizedBody: body,
  };
}
