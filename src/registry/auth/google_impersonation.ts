/** Impersonation: an access token for one account, obtained with another's (IAM credentials). */
import { callJson, type CallOptions } from "./google_http.ts";
import { type AccessToken, CLOUD_PLATFORM } from "./google_key.ts";

/** The IAM credentials API. */
export const IAM_CREDENTIALS_URL = "https://iamcredentials.googleapis.com";

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
  const url = `${baseUrl.replace(/\/$/, "")}/v1/projects/-/serviceAccounts/${
    encodeURIComponent(account)
  }:generateAccessToken`;
  const json = await callJson(url, {
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
