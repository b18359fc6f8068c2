/** Registry tokens by realm, service and scopes: reused until shortly before expiry, shared. */
import { coversScopes } from "./scopes.ts";

/** A registry bearer token and what it is good for. */
export interface RegistryToken {
  /** The secret itself: goes into `Authorization` and nowhere else. */
  value: string;
  realm: string;
  service: string;
  scopes: string[];
  /** When the registry considers it expired (epoch ms). */
  expiresAt: number;
}

/** Tokens are not used in the last part of their life: a quarter of it, at most 30 s. */
function usableUntil(t: { expiresAt: number }, lifetimeMs: number): number {
  return t.expiresAt - Math.min(30_000, lifetimeMs / 4);
}

interface Entry {
  token: RegistryToken;
  usableUntil: number;
}

/** The key of a token: realm, service and scopes. */
function tokenKey(realm: string, service: string, scopes: readonly string[]): string {
  return `${realm}\n${service}\n${scopes.join(" ")}`;
}

/** A cache of tokens with one shared request per key in flight. */
export class TokenCache {
  #tokens = new Map<string, Entry>();
  #pending = new Map<string, Promise<RegistryToken>>();

  /** `now` is the clock deciding expiry. */
  constructor(readonly now: () => number) {}

  /**
   * A usable token for these scopes: the one with exactly this key, else any token of the same
   * realm and service whose scopes cover them.
   */
  find(realm: string, service: string, scopes: readonly string[]): RegistryToken | undefined {
    const now = this.now();
    const exact = this.#tokens.get(tokenKey(realm, service, scopes));
    if (exact && now < exact.usableUntil) return exact.token;
    for (const e of this.#tokens.values()) {
      if (
        e.token.realm === realm && e.token.service === service && now < e.usableUntil &&
        coversScopes(e.token.scopes, scopes)
      ) return e.token;
    }
    return undefined;
  }

  /**
   * The token for this key from `fetchToken`, shared with every caller asking for the same key
   * while it is being fetched; cached when it arrives (failures are not cached).
   */
  obtain(
    realm: string,
    service: string,
    scopes: readonly string[],
    fetchToken: () => Promise<{ token: RegistryToken; lifetimeMs: number }>,
  ): Promise<RegistryToken> {
    const key = tokenKey(realm, service, scopes);
    const pending = this.#pending.get(key);
    if (pending) return pending;
    const p = fetchToken().then(({ token, lifetimeMs }) => {
      this.#tokens.set(key, { token, usableUntil: usableUntil(token, lifetimeMs) });
      return token;
    }).finally(() => this.#pending.delete(key));
    this.#pending.set(key, p);
    return p;
  }

  /** Forgets a token (the registry refused it). */
  drop(token: RegistryToken): void {
    for (const [k, e] of this.#tokens) if (e.token === token) this.#tokens.delete(k);
  }
}
