/**
 * Explicit trusted roots: the `trusted_root.json` document (Sigstore's `TrustedRoot` message)
 * naming the certificate authorities, transparency logs, CT logs and timestamp authorities a
 * verification trusts. Nothing is fetched: no TUF, no public-good default.
 */
import type { TrustMaterial } from "@sigstore/verify";
import { SigstoreError } from "./errors.ts";
import { sigstoreLibs } from "./libs.ts";

/** A trusted root checked and ready for verification. */
export interface TrustRoot {
  /** Where it came from, for messages (a file path, `the test services`). */
  readonly source: string;
  /** How many of each authority it names. */
  readonly counts: {
    certificateAuthorities: number;
    tlogs: number;
    ctlogs: number;
    timestampAuthorities: number;
  };
  /** The verifier's form of it. */
  readonly material: TrustMaterial;
}

const MEDIA_TYPE =
  /^application\/vnd\.dev\.sigstore\.trustedroot(\.v0\.\d+)?\+json(;version=0\.\d+)?$/;

function problem(source: string, reason: string, cause?: unknown): SigstoreError {
  return new SigstoreError(`Cannot use the trusted root ${source}: ${reason}`, { cause });
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw problem(source, "it is not JSON", e);
  }
}

function listLength(doc: Record<string, unknown>, field: string, source: string): number {
  const v = doc[field];
  if (v === undefined) return 0;
  if (!Array.isArray(v)) throw problem(source, `'${field}' is not a list`);
  return v.length;
}

/**
 * Reads a trusted root from its JSON text or parsed value. Refuses one without a certificate
 * authority, a transparency log or a CT log (no keyless signature could verify against it).
 */
export async function loadTrustRoot(json: string | unknown, source: string): Promise<TrustRoot> {
  const doc = typeof json === "string" ? parseJson(json, source) : json;
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw problem(source, "it is not a JSON object");
  }
  const record = doc as Record<string, unknown>;
  const mediaType = record.mediaType;
  if (typeof mediaType !== "string" || !MEDIA_TYPE.test(mediaType)) {
    throw problem(source, `its mediaType ${JSON.stringify(mediaType)} is not a trusted root's`);
  }
  const counts = {
    certificateAuthorities: listLength(record, "certificateAuthorities", source),
    tlogs: listLength(record, "tlogs", source),
    ctlogs: listLength(record, "ctlogs", source),
    timestampAuthorities: listLength(record, "timestampAuthorities", source),
  };
  for (const field of ["certificateAuthorities", "tlogs", "ctlogs"] as const) {
    if (counts[field] === 0) throw problem(source, `it names no ${field}`);
  }
  const { specs, verify } = await sigstoreLibs();
  let material: TrustMaterial;
  try {
    material = verify.toTrustMaterial(specs.TrustedRoot.fromJSON(doc));
  } catch (e) {
    throw problem(source, `a key or certificate in it cannot be read (${errorText(e)})`, e);
  }
  return { source, counts, material };
}

/** A library error as short words (its message, capped). */
export function errorText(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
