/** Google access tokens for exactly one service account, from the first source that works. */
import { type Attempt, CredentialError } from "./credential_error.ts";
import { type CallOptions, GoogleCallError } from "./google_http.ts";
import { IAM_CREDENTIALS_URL, impersonate } from "./google_impersonation.ts";
import {
  type AccessToken,
  type GoogleCredentialFile,
  parseCredentialFile,
  tokenFromKey,
  tokenFromUser,
} from "./google_key.ts";
import { metadataAccount, metadataHost, metadataToken } from "./google_metadata.ts";
import { type CredentialOptions, fileReadReason, readTextFile } from "./options.ts";
import type { CredentialProvider } from "./provider.ts";
import type { HttpFetch } from "../http/http_fetch.ts";
import {
  createCallTransport,
  DEFAULT_MAX_IN_FLIGHT,
  HostLimiters,
  TransportStats,
} from "../transport/mod.ts";

/** Registries take the access token as the password of this user (PROTOCOL.md §5). */
const GOOGLE_TOKEN_USER = "oauth2accesstoken";

/** Access tokens are renewed when less than this much of their life is left. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** A way to get a token, found to work for the account. */
interface Source {
  describe: string;
  get: () => Promise<AccessToken>;
}

/**
 * Access tokens for `account`, from (in order): a `--key-files` key whose client_email is the
 * account; the key in GOOGLE_APPLICATION_CREDENTIALS if it is the account; the metadata server
 * if it serves the account; impersonation of the account (IAM credentials generateAccessToken)
 * with whatever ambient credential exists (the GOOGLE_APPLICATION_CREDENTIALS key or user of
 * another identity, else the metadata server's default account). The source that worked is
 * kept for renewals; tokens are renewed 5 minutes before they expire; concurrent callers share
 * one request.
 */
export class GoogleAccessTokens {
  #source: Source | undefined;
  #token: AccessToken | undefined;
  #pending: Promise<AccessToken> | undefined;
  readonly #call: CallOptions;

  /** Tokens for `account`. */
  constructor(readonly account: string, readonly opts: CredentialOptions) {
    this.#call = { fetch: opts.call ?? ownCallTransport(opts) };
  }

  /** How the tokens are obtained (once known). */
  describe(): string {
    return `Google service account ${this.account}` +
      (this.#source ? ` (${this.#source.describe})` : "");
  }

  /** A token valid for at least five more minutes. */
  token(): Promise<AccessToken> {
    const t = this.#token;
    if (t && this.opts.now() < t.expiresAt - REFRESH_MARGIN_MS) return Promise.resolve(t);
    this.#pending ??= this.#renew().then((fresh) => {
      this.#token = fresh;
      return fresh;
    }).finally(() => this.#pending = undefined);
    return this.#pending;
  }

  async #renew(): Promise<AccessToken> {
    if (this.#source) {
      try {
        return await this.#source.get();
      } catch (e) {
        this.opts.log.debug(
          `renewing the token of ${this.account} via ${this.#source.describe} failed: ${reason(e)}`,
        );
        this.#source = undefined;
      }
    }
    const attempts: Attempt[] = [];
    for await (const candidate of this.#candidates(attempts)) {
      try {
        const t = await candidate.get();
        this.#source = candidate;
        this.opts.log.debug(`access token for ${this.account} from ${candidate.describe}`);
        return t;
      } catch (e) {
        attempts.push({ source: candidate.describe, reason: reason(e), temporary: isTemporary(e) });
      }
    }
    throw new CredentialError(`a Google access token for ${this.account}`, attempts, {
      temporary: attempts.some((a) => a.temporary),
    });
  }

  /**
   * The sources to try, in order, each looked at only when the ones before it failed; what is
   * ruled out without a token request goes to `ruled`. A credential of another identity found
   * on the way (ambient) serves the last source, impersonation.
   */
  async *#candidates(ruled: Attempt[]): AsyncGenerator<Source> {
    const found: { ambient?: Source } = {};
    yield* this.#keyFiles(ruled);
    yield* this.#applicationDefault(ruled, found);
    yield* this.#metadataServer(ruled, found);
    yield* this.#impersonation(ruled, found.ambient);
  }

  /** `--key-files`: the key whose client_email is the account. */
  async *#keyFiles(ruled: Attempt[]): AsyncGenerator<Source> {
    if (this.opts.keyFiles.length === 0) {
      ruled.push({ source: "--key-files", reason: "none given" });
    }
    for (const path of this.opts.keyFiles) {
      const f = await this.#readCredentials(path);
      const source = `key file ${path}`;
      if (typeof f === "string") ruled.push({ source, reason: f });
      else if (f.type !== "service_account") {
        ruled.push({ source, reason: "is not a service-account key" });
      } else if (!this.#isAccount(f.key.clientEmail)) {
        ruled.push({ source, reason: `is the key of ${f.key.clientEmail}` });
      } else yield { describe: source, get: () => tokenFromKey(f.key, this.opts.now, this.#call) };
    }
  }

  /**
   * GOOGLE_APPLICATION_CREDENTIALS: the account's key; another account's key or a user's
   * credentials become the ambient credential.
   */
  async *#applicationDefault(
    ruled: Attempt[],
    found: { ambient?: Source },
  ): AsyncGenerator<Source> {
    const path = this.opts.env("GOOGLE_APPLICATION_CREDENTIALS");
    if (!path) {
      ruled.push({ source: "GOOGLE_APPLICATION_CREDENTIALS", reason: "not set" });
      return;
    }
    const source = `GOOGLE_APPLICATION_CREDENTIALS ${path}`;
    const f = await this.#readCredentials(path);
    if (typeof f === "string") ruled.push({ source, reason: f });
    else if (f.type === "service_account") {
      const get = () => tokenFromKey(f.key, this.opts.now, this.#call);
      if (this.#isAccount(f.key.clientEmail)) yield { describe: source, get };
      else {
        ruled.push({ source, reason: `is the key of ${f.key.clientEmail}` });
        found.ambient = { describe: `${source} (${f.key.clientEmail})`, get };
      }
    } else if (f.type === "authorized_user") {
      ruled.push({ source, reason: "holds user credentials, not the service account's key" });
      const url = this.opts.googleTokenUrl ?? "https://oauth2.googleapis.com/token";
      found.ambient = {
        describe: `${source} (user credentials)`,
        get: () => tokenFromUser(f.user, url, this.opts.now, this.#call),
      };
    } else ruled.push({ source, reason: `holds ${f.what}, which cip cannot use` });
  }

  /**
   * The metadata server, when it serves the account; when it serves another, that one becomes
   * the ambient credential (unless one was found already).
   */
  async *#metadataServer(
    ruled: Attempt[],
    found: { ambient?: Source },
  ): AsyncGenerator<Source> {
    const host = metadataHost(this.opts.env);
    const source = `metadata server ${host}`;
    let md: Awaited<ReturnType<typeof metadataAccount>>;
    try {
      md = await metadataAccount(host, this.account, { ...this.#call, timeoutMs: 3000 });
    } catch (e) {
      ruled.push({ source, reason: reason(e) });
      return;
    }
    const token = (name: string) => () => metadataToken(host, name, this.opts.now, this.#call);
    if (md.name !== null) {
      yield { describe: source, get: token(md.name) };
      return;
    }
    ruled.push({ source, reason: `serves ${md.defaultEmail}` });
    found.ambient ??= { describe: `${source} (${md.defaultEmail})`, get: token("default") };
  }

  /** Impersonation of the account with the ambient credential (IAM generateAccessToken). */
  async *#impersonation(ruled: Attempt[], caller: Source | undefined): AsyncGenerator<Source> {
    if (!caller) {
      ruled.push({
        source: "impersonation",
        reason: "no ambient Google credential to impersonate with",
      });
      return;
    }
    const base = this.opts.iamCredentialsUrl ?? IAM_CREDENTIALS_URL;
    yield {
      describe: `impersonation by ${caller.describe}`,
      get: async () => {
        let callerToken: AccessToken;
        try {
          callerToken = await caller.get();
        } catch (e) {
          throw new Error(`the caller's own token: ${reason(e)}`);
        }
        return await impersonate(this.account, callerToken.token, base, this.#call);
      },
    };
  }

  /** A credential file parsed, or why it could not be read. */
  async #readCredentials(path: string): Promise<GoogleCredentialFile | string> {
    try {
      return parseCredentialFile(await (this.opts.readFile ?? readTextFile)(path));
    } catch (e) {
      return fileReadReason(e);
    }
  }

  #isAccount(email: string): boolean {
    return email.toLowerCase() === this.account.toLowerCase();
  }
}

/** A secret-free reason from an error of a Google credential source. */
export function reason(e: unknown): string {
  if (e instanceof GoogleCallError) return e.temporary ? `${e.message} (temporary)` : e.message;
  if (e instanceof CredentialError) return e.message;
  return e instanceof Error ? e.message : "failed";
}

/** Whether a source failed for a reason that may pass (unreachable, 429, 5xx). */
export function isTemporary(e: unknown): boolean {
  return e instanceof GoogleCallError && e.temporary;
}

/** The CredentialProvider of a registry with a `service-account`: Basic `oauth2accesstoken`. */
export class GoogleCredentials implements CredentialProvider {
  /** Presents `tokens` to the registry `host` (`host[:port]`) and to no other. */
  constructor(readonly tokens: GoogleAccessTokens, readonly host: string) {}

  /** `oauth2accesstoken` and a current access token; null for any other host. */
  async basic(host: string): Promise<{ username: string; password: string } | null> {
    if (host.toLowerCase() !== this.host.toLowerCase()) return null;
    const t = await this.tokens.token();
    return { username: GOOGLE_TOKEN_USER, password: t.token };
  }

  /** Which account and source. */
  describe(): string {
    return this.tokens.describe();
  }

  /** Gets a token now; throws a CredentialError listing every source tried. */
  async verify(): Promise<void> {
    await this.tokens.token();
  }
}

/** A call transport of its own, for credentials made without the run's (tests, tools). */
export function ownCallTransport(opts: CredentialOptions): HttpFetch {
  return createCallTransport({
    limiters: new HostLimiters({
      requestsPerSecond: () => 0,
      maxInFlight: DEFAULT_MAX_IN_FLIGHT,
      now: opts.now,
      ...(opts.sleep ? { sleep: opts.sleep } : {}),
    }),
    stats: new TransportStats(),
    log: opts.log,
    fetch: opts.fetch,
    now: opts.now,
    ...(opts.sleep ? { sleep: opts.sleep } : {}),
  });
}
