/**
 * Fulcio's `POST /api/v2/signingCert`: an identity token and a public key with its proof of
 * possession (the token's subject signed with the key) in, a short-lived certificate chain out.
 */
import { ServiceError } from "./errors.ts";
import { endpoint, postJson, responseJson, type ServiceCall } from "./service_http.ts";

/** A certificate request. */
export interface CertificateRequest {
  /** Fulcio's base URL. */
  url: string;
  /** The OIDC identity token. */
  token: string;
  /** The public key, PEM (SPKI). */
  publicKeyPem: string;
  /** The token's subject signed with the private key. */
  proofOfPossession: Uint8Array;
  /** The fetch to use. */
  fetch: typeof fetch;
}

function chainOf(json: unknown): string[] | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const r = json as Record<string, { chain?: { certificates?: unknown } } | undefined>;
  const certs = (r.signedCertificateEmbeddedSct ?? r.signedCertificateDetachedSct)?.chain
    ?.certificates;
  if (!Array.isArray(certs) || certs.length === 0) return undefined;
  return certs.every((c) => typeof c === "string" && c.includes("BEGIN CERTIFICATE"))
    ? certs as string[]
    : undefined;
}

/** The certificate chain (PEM, leaf first) Fulcio issues for the key. */
export async function requestCertificate(request: CertificateRequest): Promise<string[]> {
  const call: ServiceCall = {
    service: "Fulcio",
    what: "a signing certificate",
    url: endpoint(request.url, "/api/v2/signingCert"),
    fetch: request.fetch,
    secrets: [request.token],
    body: {
      credentials: { oidcIdentityToken: request.token },
      publicKeyRequest: {
        publicKey: { algorithm: "ECDSA", content: request.publicKeyPem },
        proofOfPossession: btoa(String.fromCharCode(...request.proofOfPossession)),
      },
    },
  };
  const response = await postJson(call);
  const chain = chainOf(await responseJson(response, call));
  if (!chain) {
    throw new ServiceError(call.service, call.what, "the answer holds no certificate chain");
  }
  return chain;
}
