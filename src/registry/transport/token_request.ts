/** Asking a registry's token server (the Bearer challenge's realm) for a token. */
import type { CredentialProvider } from "../auth/provider.ts";
import { RegistryError } from "../errors.ts";
import type { Step } from "./outgoing.ts";
import { redactUrl } from "./redact.ts";
import { parseErrorBody, readCapped } from "./response_error.ts";
import type { RegistryToken } from "./token_cache.ts";

/** The most bytes of a token server's answer read (tokens are a few kilobytes). */
export const TOKEN_ANSWER_LIMIT = 1024 * 1024;

/** Lifetime of a token whose answer gives no `expires_in`, in seconds. */
const DEFAULT_TOKEN_SECONDS = 60;

/** What a token request needs. */
export interface TokenRequest {
  realm: string;
  service: string;
  /** Scopes, push scope first; all go into one request. */
  scopes: string[];
  /** The registry host (host[:port]) the token is for. */
  host: string;
  /** The registry's URL scheme: credentials never go to a plain-http realm of an https registry. */
  registryProtocol: string;
  credentials: CredentialProvider;
  now: () => number;
  signal?: AbortSignal;
}

/** `Authorization: Basic` for a username and password (UTF-8). */
export function basicAuthorization(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}

/**
 * Gets a token: `GET realm?service=..&scope=..&scope=..` with Basic credentials when the
 * provider has them, or a `POST` of the provider's identity token (OAuth2 refresh-token grant).
 * Accepts `token` and/or `access_token`, `expires_in` (default 60 s) and `issued_at`.
 */
export async function requestToken(
  next: Step,
  r: TokenRequest,
): Promise<{ token: RegistryToken; lifetimeMs: number }> {
  let url: URL;
  try {
    url = new URL(r.realm);
  } catch {
    throw new RegistryError(`Cannot authenticate to ${r.host}: its token realm is not a URL`);
  }
  const what = `get a registry token for ${r.host}` +
    (r.scopes.length > 0 ? ` (${r.scopes.join(" ")})` : "") + ` from ${redactUrl(url)}`;
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new RegistryError(`Cannot ${what}: the realm is not an http(s) URL`);
  }
  const res = await next({
    ...await tokenRequest(url, r, what),
    scopes: [],
    read: TOKEN_ANSWER_LIMIT,
    ...(r.signal ? { signal: r.signal } : {}),
  });
  const text = await readCapped(res, TOKEN_ANSWER_LIMIT);
  if (!res.ok) {
    const e = parseErrorBody(text);
    throw new RegistryError(
      `Cannot ${what}: token server returned ${res.status}` +
        (e.codes.length > 0 ? ` ${e.codes.join(", ")}` : "") +
        `; credentials: ${r.credentials.describe()}`,
      {
        status: res.status,
        codes: e.codes,
        temporary: res.status === 429 || res.status >= 500 || res.status === 408,
      },
    );
  }
  return tokenAnswer(text, r, what);
}

/**
 * The request to the realm: a POST of the identity token when the provider has one, else a GET
 * with the service and scopes in the query and Basic credentials when there are some. Refuses
 * to send credentials to a plain-http realm of an https registry.
 */
async function tokenRequest(
  url: URL,
  r: TokenRequest,
  what: string,
): Promise<{ method: string; url: URL; headers: Headers; body: Uint8Array<ArrayBuffer> | null }> {
  const headers = new Headers({ accept: "application/json" });
  const identityToken = await r.credentials.identityToken?.(r.host) ?? null;
  const basic = identityToken === null ? await r.credentials.basic(r.host) : null;
  if (
    (identityToken !== null || basic !== null) && url.protocol === "http:" &&
    r.registryProtocol === "https:"
  ) {
    throw new RegistryError(`Cannot ${what}: credentials are never sent to a plain-http realm`);
  }
  if (identityToken !== null) {
    const form = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: identityToken,
      client_id: "cip",
    });
    if (r.service !== "") form.set("service", r.service);
    if (r.scopes.length > 0) form.set("scope", r.scopes.join(" "));
    headers.set("content-type", "application/x-www-form-urlencoded");
    return { method: "POST", url, headers, body: new TextEncoder().encode(form.toString()) };
  }
  if (r.service !== "") url.searchParams.set("service", r.service);
  for (const s of r.scopes) url.searchParams.append("scope", s);
  if (basic !== null) {
    headers.set("authorization", basicAuthorization(basic.username, basic.password));
  }
  return { method: "GET", url, headers, body: null };
}

/** Reads a token answer: the token, its lifetime and when it was issued (if plausible). */
function tokenAnswer(
  text: string,
  r: TokenRequest,
  what: string,
): { token: RegistryToken; lifetimeMs: number } {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new RegistryError(`Cannot ${what}: the answer is not JSON`);
  }
  const value = typeof json.token === "string" && json.token !== ""
    ? json.token
    : typeof json.access_token === "string" && json.access_token !== ""
    ? json.access_token
    : undefined;
  if (value === undefined) throw new RegistryError(`Cannot ${what}: the answer has no token`);
  const seconds = typeof json.expires_in === "number" && json.expires_in > 0
    ? json.expires_in
    : DEFAULT_TOKEN_SECONDS;
  const lifetimeMs = seconds * 1000;
  const now = r.now();
  let start = now;
  if (typeof json.issued_at === "string") {
    const issued = Date.parse(json.issued_at);
    // Trust issued_at only when it is plausible for this clock: not ahead, not a lifetime behind.
    if (!Number.isNaN(issued) && issued <= now && issued > now - lifetimeMs) start = issued;
  }
  return {
    token: {
      value,
      realm: r.realm,
      service: r.service,
      scopes: r.scopes,
      expiresAt: start + lifetimeMs,
    },
    lifetimeMs,
  };
}
