/** The GCE / GKE metadata server: which service account it serves, and its tokens. */
import { call, callJson, type CallOptions, GoogleCallError } from "./google_http.ts";
import { type AccessToken, oauthToken } from "./google_key.ts";

/** The metadata server's host: `GCE_METADATA_HOST`, else `metadata.google.internal`. */
export function metadataHost(env: (n: string) => string | undefined): string {
  return env("GCE_METADATA_HOST") || "metadata.google.internal";
}

function base(host: string): string {
  return `http://${host}/computeMetadata/v1/instance/service-accounts`;
}

/**
 * The text of a metadata GET, asked once (most machines have no metadata server: not finding
 * one is an answer, not a failure to retry). Throws GoogleCallError.
 */
async function getText(url: string, o: CallOptions): Promise<string> {
  const { status, text } = await call(
    url,
    { headers: { "metadata-flavor": "Google" } },
    { ...o, timeoutMs: o.timeoutMs ?? 3000 },
    true,
  );
  if (status < 200 || status >= 300) throw new GoogleCallError(`${status}`, status);
  return text.trim();
}

/** The address of the metadata server's default account; GoogleCallError when unreachable. */
export function metadataDefaultEmail(host: string, o: CallOptions): Promise<string> {
  return getText(`${base(host)}/default/email`, o);
}

/**
 * Which name the metadata server knows `account` by: "default" when that is the account it
 * serves, the address itself when it serves it under its own name, else null. The second
 * element is the default account's address (for impersonation), when it could be read.
 * Throws GoogleCallError when the server cannot be reached.
 */
export async function metadataAccount(
  host: string,
  account: string,
  o: CallOptions,
): Promise<{ name: "default" | string | null; defaultEmail: string }> {
  const defaultEmail = await metadataDefaultEmail(host, o);
  if (defaultEmail.toLowerCase() === account.toLowerCase()) {
    return { name: "default", defaultEmail };
  }
  try {
    const named = await getText(`${base(host)}/${encodeURIComponent(account)}/email`, o);
    if (named.toLowerCase() === account.toLowerCase()) return { name: account, defaultEmail };
  } catch (e) {
    if (!(e instanceof GoogleCallError) || e.status !== 404) throw e;
  }
  return { name: null, defaultEmail };
}

/** An access token of the metadata server's account `name` ("default" or an address). */
export async function metadataToken(
  host: string,
  name: string,
  now: () => number,
  o: CallOptions,
): Promise<AccessToken> {
  const json = await callJson(`${base(host)}/${encodeURIComponent(name)}/token`, {
    headers: { "metadata-flavor": "Google" },
  }, { ...o, timeoutMs: o.timeoutMs ?? 10_000 });
  return oauthToken(json, now);
}
