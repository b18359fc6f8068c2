/** Service-account key files: reading them and trading a signed JWT for an access token. */
import { importPKCS8, SignJWT } from "jose";
import { callJson, type CallOptions } from "./google_http.ts";

/** The scope of every access token cip asks Google for. */
export const CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";

/** A Google access token and when it expires (epoch ms). */
export interface AccessToken {
  token: string;
  expiresAt: number;
}

/** The fields of a service-account key that are used. */
export interface ServiceAccountKey {
  clientEmail: string;
  privateKeyId: string;
  privateKey: string;
  tokenUri: string;
}

/** Application-default credentials of a user (`gcloud auth application-default login`). */
export interface AuthorizedUser {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/** What a Google credentials JSON file holds. */
export type GoogleCredentialFile =
  | { type: "service_account"; key: ServiceAccountKey }
  | { type: "authorized_user"; user: AuthorizedUser }
  | { type: "unsupported"; what: string };

/**
 * Parses a Google credentials file. Throws an Error with a secret-free message when it is not
 * JSON or lacks fields.
 */
export function parseCredentialFile(text: string): GoogleCredentialFile {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error("is not JSON");
  }
  if (typeof j !== "object" || j === null) throw new Error("is not a JSON object");
  const str = (k: string) => typeof j[k] === "string" && j[k] !== "" ? j[k] as string : undefined;
  if (j.type === "service_account") {
    const missing = ["client_email", "private_key", "private_key_id"].filter((k) => !str(k));
    if (missing.length > 0) {
      throw new Error(`is a service-account key without ${missing.join(", ")}`);
    }
    return {
      type: "service_account",
      key: {
        clientEmail: str("client_email")!,
        privateKeyId: str("private_key_id")!,
        privateKey: str("private_key")!,
        tokenUri: str("token_uri") ?? "https://oauth2.googleapis.com/token",
      },
    };
  }
  if (j.type === "authorized_user") {
    const missing = ["client_id", "client_secret", "refresh_token"].filter((k) => !str(k));
    if (missing.length > 0) throw new Error(`is user credentials without ${missing.join(", ")}`);
    return {
      type: "authorized_user",
      user: {
        clientId: str("client_id")!,
        clientSecret: str("client_secret")!,
        refreshToken: str("refresh_token")!,
      },
    };
  }
  return {
    type: "unsupported",
    what: typeof j.type === "string" ? `"${j.type}" credentials` : "of no known type",
  };
}

/**
 * An access token for the key's account: a JWT (RS256, kid = private_key_id, iss = the account,
 * aud = the key's token_uri, one hour) posted to the key's own token_uri.
 */
export async function tokenFromKey(
  key: ServiceAccountKey,
  now: () => number,
  call: CallOptions,
): Promise<AccessToken> {
  let privateKey: CryptoKey;
  try {
    privateKey = await importPKCS8(key.privateKey, "RS256");
  } catch {
    throw new Error("its private_key is not a PKCS#8 RSA key");
  }
  const iat = Math.floor(now() / 1000);
  const assertion = await new SignJWT({ scope: CLOUD_PLATFORM })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: key.privateKeyId })
    .setIssuer(key.clientEmail)
    .setAudience(key.tokenUri)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(privateKey);
  const body = new URLSearchParams({
    grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
    assertion,
  });
  const json = await callJson(key.tokenUri, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: body.toString(),
  }, call);
  return oauthToken(json, now);
}

/** An access token from user credentials (refresh-token grant at Google's token endpoint). */
export async function tokenFromUser(
  user: AuthorizedUser,
  tokenUrl: string,
  now: () => number,
  call: CallOptions,
): Promise<AccessToken> {
  const body = new URLSearchParams({
    grant_type: "refresh_token",
    client_id: user.clientId,
    client_secret: user.clientSecret,
    refresh_token: user.refreshToken,
  });
  const json = await callJson(tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: body.toString(),
  }, call);
  return oauthToken(json, now);
}

/** Reads `{"access_token", "expires_in"}`. */
export function oauthToken(json: Record<string, unknown>, now: () => number): AccessToken {
  if (typeof json.access_token !== "string" || json.access_token === "") {
    throw new Error("the answer has no access_token");
  }
  const seconds = typeof json.expires_in === "number" && json.expires_in > 0
    ? json.expires_in
    : 3600;
  return { token: json.access_token, expiresAt: now() + seconds * 1000 };
}
