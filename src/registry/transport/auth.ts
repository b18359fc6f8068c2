/** The layer that answers registry challenges: Bearer tokens from the realm, or Basic. */
import type { Logger } from "../../log.ts";
import type { CredentialProvider } from "../auth/provider.ts";
import { RegistryError } from "../errors.ts";
import { type Challenge, parseChallenges } from "./challenge.ts";
import { isReplayable, type Outgoing, type Step } from "./outgoing.ts";
import { redactUrl } from "./redact.ts";
import { parseErrorBody, readCapped } from "./response_error.ts";
import { coversScopes, mergeScopes } from "./scopes.ts";
import { type RegistryToken, TokenCache } from "./token_cache.ts";
import { basicAuthorization, requestToken } from "./token_request.ts";

/** What a host asked for, as far as this transport has seen. */
type HostAuth =
  | { kind: "unknown" }
  | { kind: "none" }
  | { kind: "basic" }
  | { kind: "bearer"; realm: string; service: string };

interface HostState {
  auth: HostAuth;
  /** Scopes learned from challenges to requests that came without scopes (e.g. the catalog). */
  hintless: string[];
  /** The `GET /v2/` that is learning the host's challenge, shared by concurrent uploads. */
  probing?: Promise<void>;
}

/** What went out with a request. */
type Sent =
  | { kind: "none" }
  | { kind: "basic" }
  | { kind: "bearer"; token: RegistryToken; fresh: boolean };

/** What the auth layer needs. */
export interface AuthOptions {
  /** The registry's host as named, passed to `credentials`. */
  host: string;
  /** The registry's origin (`https://gcr.io`): the only one that gets credentials. */
  origin: string;
  credentials: CredentialProvider;
  now: () => number;
  log: Logger;
  /** Token cache; shared by the transports of one host if given. */
  cache?: TokenCache;
}

/**
 * Answers challenges. Once a host's challenge is known, later requests carry credentials from
 * the start: a cached token covering their scopes, else a token fetched first (one request for
 * all scopes, shared among concurrent callers). On a 401: a Bearer challenge gets a token for
 * the request's scopes merged with the challenge's, a Basic challenge the provider's Basic
 * credentials; the request is sent once more. A second 401 (or a 401 to a token just fetched
 * for those very scopes) throws a RegistryError with status 401.
 *
 * Stream bodies cannot be sent twice, so before the first stream request to a host whose
 * challenge is unknown, `GET /v2/` learns it; if such a request still meets a 401, a temporary
 * RegistryError tells the caller to retry the whole operation (which then authenticates first).
 *
 * Credentials belong to the registry's origin: a request to any other origin goes out as it is
 * and its 401 is not answered, and a 401 that comes from another origin after a redirect is an
 * error, never a challenge to answer (its realm would receive the registry's credentials).
 */
export function authStep(next: Step, opts: AuthOptions): Step {
  const auth = new Authenticator(next, opts);
  return (o) => auth.send(o);
}

/** The auth layer's state and steps (see authStep). */
class Authenticator {
  readonly #next: Step;
  readonly #opts: AuthOptions;
  readonly #cache: TokenCache;
  readonly #hosts = new Map<string, HostState>();

  constructor(next: Step, opts: AuthOptions) {
    this.#next = next;
    this.#opts = opts;
    this.#cache = opts.cache ?? new TokenCache(opts.now);
  }

  /** Sends a request with credentials, answering one challenge if the registry makes one. */
  async send(o: Outgoing): Promise<Response> {
    // Not the registry (nothing cip asks for should be): no credentials, no challenge answered.
    if (o.url.origin !== this.#opts.origin) return await this.#next(o);
    const st = this.#stateOf(o.url.origin);
    if (!isReplayable(o) && st.auth.kind === "unknown") {
      st.probing ??= this.#probe(o.url, st).finally(() => st.probing = undefined);
      await st.probing;
    }
    const [first, sent] = await this.#withAuth(o, st);
    const res = await this.#next(first);
    if (res.status !== 401) return res;
    if (!answeredBy(res, this.#opts.origin)) throw await this.#foreign(o, res);
    const challenge = pick(parseChallenges(res.headers.get("www-authenticate")));
    if (sent.kind === "bearer") this.#cache.drop(sent.token);
    if (!isReplayable(o)) throw await this.#streamChallenged(o, res, st, challenge);
    if (!challenge || (challenge.scheme === "bearer" && !challenge.params.realm)) {
      throw await this.#refused(o, res, sent);
    }
    return challenge.scheme === "basic"
      ? await this.#answerBasic(o, res, st, sent)
      : await this.#answerBearer(o, res, st, sent, challenge);
  }

  #stateOf(origin: string): HostState {
    let s = this.#hosts.get(origin);
    if (!s) {
      s = { auth: { kind: "unknown" }, hintless: [] };
      this.#hosts.set(origin, s);
    }
    return s;
  }

  /** A token for `scopes` from `realm`: one request shared by every caller wanting it. */
  #obtain(o: Outgoing, realm: string, service: string, scopes: string[]) {
    const opts = this.#opts;
    return this.#cache.obtain(realm, service, scopes, () => {
      opts.log.debug(
        `getting a registry token for ${o.url.host} (${scopes.join(" ") || "no scope"})`,
      );
      return requestToken(this.#next, {
        realm,
        service,
        scopes,
        host: opts.host,
        registryProtocol: new URL(opts.origin).protocol,
        credentials: opts.credentials,
        now: opts.now,
        // No caller's signal: the request is shared by every caller wanting these scopes.
      });
    });
  }

  /** Remembers what a challenge asks for. */
  #learn(st: HostState, c: Challenge | undefined): void {
    if (!c) return;
    if (c.scheme === "basic") st.auth = { kind: "basic" };
    else if (c.params.realm) {
      st.auth = { kind: "bearer", realm: c.params.realm, service: c.params.service ?? "" };
    }
  }

  /** `GET /v2/`, to learn the host's challenge before a stream body that cannot go twice. */
  async #probe(url: URL, st: HostState): Promise<void> {
    const ping = await this.#next({
      method: "GET",
      url: new URL("/v2/", url),
      headers: new Headers(),
      body: null,
      scopes: [],
    });
    if (answeredBy(ping, this.#opts.origin)) {
      if (ping.status === 401) {
        this.#learn(st, pick(parseChallenges(ping.headers.get("www-authenticate"))));
      } else if (ping.ok) st.auth = { kind: "none" };
    }
    await ping.body?.cancel();
  }

  /** The request with the credentials the host is known to want, and what went out. */
  async #withAuth(o: Outgoing, st: HostState): Promise<[Outgoing, Sent]> {
    const a = st.auth;
    if (a.kind === "basic") {
      const creds = await this.#opts.credentials.basic(this.#opts.host);
      if (creds === null) return [o, { kind: "none" }];
      return [authorize(o, basicAuthorization(creds.username, creds.password)), { kind: "basic" }];
    }
    if (a.kind !== "bearer") return [o, { kind: "none" }];
    const scopes = o.scopes.length > 0 ? mergeScopes(o.scopes) : st.hintless;
    const cached = this.#cache.find(a.realm, a.service, scopes);
    const token = cached ?? await this.#obtain(o, a.realm, a.service, scopes);
    return [authorize(o, `Bearer ${token.value}`), { kind: "bearer", token, fresh: !cached }];
  }

  /** A 401 to a stream body: learn the challenge; the caller repeats the whole operation. */
  async #streamChallenged(
    o: Outgoing,
    res: Response,
    st: HostState,
    challenge: Challenge | undefined,
  ): Promise<RegistryError> {
    this.#learn(st, challenge);
    await res.body?.cancel();
    return new RegistryError(
      `Cannot ${o.method} ${redactUrl(o.url)}: the registry asked for authentication while a ` +
        "streamed body was being sent; retrying the operation authenticates first",
      { status: 401, temporary: true },
    );
  }

  /** Answers a Basic challenge once with the provider's Basic credentials. */
  async #answerBasic(o: Outgoing, res: Response, st: HostState, sent: Sent): Promise<Response> {
    if (sent.kind === "basic") throw await this.#refused(o, res, sent);
    const creds = await this.#opts.credentials.basic(this.#opts.host);
    if (creds === null) throw await this.#refused(o, res, sent);
    await res.body?.cancel();
    st.auth = { kind: "basic" };
    const again = await this.#next(
      authorize(o, basicAuthorization(creds.username, creds.password)),
    );
    if (again.status === 401) throw await this.#refused(o, again, { kind: "basic" });
    return again;
  }

  /**
   * Answers a Bearer challenge once with a token for the request's scopes and the challenge's;
   * a fresh token that already covered them was refused, and is not asked for again.
   */
  async #answerBearer(
    o: Outgoing,
    res: Response,
    st: HostState,
    sent: Sent,
    challenge: Challenge,
  ): Promise<Response> {
    const realm = challenge.params.realm!;
    const service = challenge.params.service ?? "";
    const scopes = mergeScopes(o.scopes, [challenge.params.scope ?? ""]);
    if (o.scopes.length === 0) st.hintless = scopes;
    st.auth = { kind: "bearer", realm, service };
    if (
      sent.kind === "bearer" && sent.fresh && sent.token.realm === realm &&
      sent.token.service === service && coversScopes(sent.token.scopes, scopes)
    ) throw await this.#refused(o, res, sent);
    await res.body?.cancel();
    const token = await this.#obtain(o, realm, service, scopes);
    const again = await this.#next(authorize(o, `Bearer ${token.value}`));
    if (again.status === 401) {
      this.#cache.drop(token);
      throw await this.#refused(o, again, { kind: "bearer", token, fresh: true });
    }
    return again;
  }

  /** The error for a 401 from another origin a redirect led to: never answered. */
  async #foreign(o: Outgoing, res: Response): Promise<RegistryError> {
    await res.body?.cancel();
    return new RegistryError(
      `Cannot ${o.method} ${redactUrl(o.url)}: the registry redirected it to ` +
        `${new URL(res.url).origin}, which asked for credentials; cip sends credentials only ` +
        `to ${this.#opts.origin} and the token server it names`,
      { status: 401 },
    );
  }

  /** The error for a 401 that credentials did not (or could not) answer. */
  async #refused(o: Outgoing, res: Response, sent: Sent): Promise<RegistryError> {
    if (!answeredBy(res, this.#opts.origin)) return await this.#foreign(o, res);
    const e = parseErrorBody(await readCapped(res));
    const how = sent.kind === "none"
      ? "without credentials"
      : `with ${
        sent.kind === "basic" ? "Basic credentials" : "a token"
      } from ${this.#opts.credentials.describe()}`;
    return new RegistryError(
      `Cannot ${o.method} ${redactUrl(o.url)}: registry returned 401` +
        (e.codes.length > 0 ? ` ${e.codes.join(", ")}` : "") + ` ${how}`,
      { status: 401, codes: e.codes },
    );
  }
}

/** Whether the answer came from `origin` itself (not from a host a redirect led to). */
function answeredBy(res: Response, origin: string): boolean {
  return res.url === "" || new URL(res.url).origin === origin;
}

/** The challenge to answer: Bearer if offered, else Basic. */
function pick(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === "bearer") ??
    challenges.find((c) => c.scheme === "basic");
}

function authorize(o: Outgoing, value: string): Outgoing {
  const headers = new Headers(o.headers);
  headers.set("authorization", value);
  return { ...o, headers };
}
