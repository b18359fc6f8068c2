/**
 * A timestamp authority's `POST /api/v1/timestamp` (the JSON form Sigstore's TSA accepts): the
 * SHA-256 of a signature in, a DER RFC 3161 timestamp response out.
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { ServiceError } from "./errors.ts";
import { endpoint, postJson, type ServiceCall } from "./service_http.ts";

/** An RFC 3161 timestamp (DER) over `signature` from the authority at `url`. */
export async function requestTimestamp(
  url: string,
  signature: Uint8Array,
  doFetch: typeof fetch,
): Promise<Uint8Array> {
  const call: ServiceCall = {
    service: "timestamp authority",
    what: "a timestamp",
    url: endpoint(url, "/api/v1/timestamp"),
    fetch: doFetch,
    body: {
      artifactHash: createHash("sha256").update(signature).digest("base64"),
      hashAlgorithm: "sha256",
    },
  };
  const response = await postJson(call);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length === 0) throw new ServiceError(call.service, call.what, "the answer is empty");
  return Buffer.from(bytes);
}
