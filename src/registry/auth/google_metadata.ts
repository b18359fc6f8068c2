/** The GCE / GKE metadata server: which service account it serves, and its tokens. */
import { answerText, callJson, type CallOptions, GoogleCallError } from "./google_http.ts";
import { type AccessToken, oauthToken } from "./google_key.ts";

/** The metadata server's host: `GCE_METADATA_HOST`, else `metadata.google.internal`. */
export function metadataHost(env: (n: string) => string | undefined): string {
  return env("GCE_METADATA_HOST") || "metadata.google.internal";
}

function base(host: string): string {
  return `http://${host}/computeMetadata/v1/instance/service-accounts`;
}

async function getText(url: string, call: CallOptions): Promise<string> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), call.timeoutMs ?? 3000);
  try {
    const res = await call.fetch(url, {
      headers: { "metadata-flavor": "Google" },
      signal: ac.signal,
      redirect: "error",
    });
    const text = await answerText(res);
    if (!res.ok) throw new GoogleCallError(`${res.status}`, res.status);
    return text.trim();
  } catch (e) {
    if (e instanceof GoogleCallError) throw e;
    throw new GoogleCallError(
      ac.signal.aborted
        ? "no answer in time"
        : `not reachable (${e instanceof Error ? e.name : "error"})`,
    );
  } finally {
    clearTimeout(timer);
  }
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
  call: CallOptions,
): Promise<{ name: "default" | string | null; defaultEmail: string }> {
  const defaultEmail = await getText(`${base(host)}/default/email`, call);
  if (defaultEmail.toLowerCase() === account.toLowerCase()) {
    return { name: "default", defaultEmail };
  }
  try {
    const named = await getText(`${base(host)}/${encodeURIComponent(account)}/email`, call);
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
  call: CallOptions,
): Promise<AccessToken> {
  const json = await callJson(`${base(host)}/${encodeURIComponent(name)}/token`, () => ({
    headers: { "metadata-flavor": "Google" },
  }), { ...call, timeoutMs: call.timeoutMs ?? 10_000 });
  return oauthToken(json, now);
}
