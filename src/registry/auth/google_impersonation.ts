/**
 * Impersonation through the IAM credentials API: an access token (`generateAccessToken`) or an
 * OIDC identity token (`generateIdToken`) of one account, obtained with another's access token.
 */
import { callJson, type CallOptions } from "./google_http.ts";
import { type AccessToken, CLOUD_PLATFORM } from "./google_key.ts";

/** The IAM credentials API. */
export const IAM_CREDENTIALS_URL = "https://iamcredentials.googleapis.com";

/** The URL of `method` (`generateAccessToken`, `generateIdToken`) for `account`. */
function methodUrl(baseUrl: string, account: string, method: string): string {
  return `${baseUrl.replace(/\/$/, "")}/v1/projects/-/serviceAccounts/${
    encodeURIComponent(account)
  }:${method}`;
}

/**
 * `generateAccessToken` for `account`, authenticated by `callerToken`: needs the caller to hold
 * roles/iam.serviceAccountTokenCreator on the account.
 */
export async function impersonate(
  account: string,
  callerToken: string,
  baseUrl: string,
  call: CallOptions,
): Promise<AccessToken> {
  const json = await callJson(methodUrl(baseUrl, account, "generateAccessToken"), {
    method: "POST",
    headers: { authorization: `Bearer ${callerToken}`, "content-type": "application/json" },
    body: JSON.stringify({ scope: [CLOUD_PLATFORM], lifetime: "3600s" }),
  }, call);
  if (typeof json.accessToken !== "string" || json.accessToken === "") {
    throw new Error("the answer has no accessToken");
  }
  const expires = typeof json.expireTime === "string" ? Date.parse(json.expireTime) : Number.NaN;
  if (Number.isNaN(expires)) throw new Error("the answer has no readable expireTime");
  return { token: json.accessToken, expiresAt: expires };
}

/**
 * `generateIdToken` for `account` and `audience`, with the account's e-mail address in the token,
 * authenticated by `callerToken`: needs the caller to hold
 * roles/iam.serviceAccountOpenIdTokenCreator on the account. Throws GoogleCallError when the
 * API refuses or cannot be reached, an Error when the answer has no token.
 */
export async function generateIdToken(
  account: string,
  audience: string,
  callerToken: string,
  baseUrl: string,
  call: CallOptions,
): Promise<string> {
  const json = await callJson(methodUrl(baseUrl, account, "generateIdToken"), {
    method: "POST",
    headers: { authorization: `Bearer ${callerToken}`, "content-type": "application/json" },
    body: JSON.stringify({ audience, includeEmail: true }),
  }, call);
  if (typeof json.token !== "string" || json.token === "") {
    throw new Error("the answer has no token");
  }
  return json.token;
}
