/**
 * OIDC identity tokens of a Google service account, for signing as that account: the IAM
 * credentials API's `generateIdToken`, asked as whoever `cip` already is on Google, the identity
 * impersonation uses (the key or user in GOOGLE_APPLICATION_CREDENTIALS, else the metadata
 * server's default account). That identity needs roles/iam.serviceAccountOpenIdTokenCreator on
 * the account. No message names a token.
 */
import { type Attempt, CredentialError } from "./credential_error.ts";
import { type CallOptions, GoogleCallError } from "./google_http.ts";
import { generateIdToken, IAM_CREDENTIALS_URL } from "./google_impersonation.ts";
import {
  type AccessToken,
  type GoogleCredentialFile,
  parseCredentialFile,
  tokenFromKey,
  tokenFromUser,
} from "./google_key.ts";
import { metadataDefaultEmail, metadataHost, metadataToken } from "./google_metadata.ts";
import { isTemporary, ownCallTransport, reason } from "./google_provider.ts";
import { type CredentialOptions, fileReadReason, readTextFile } from "./options.ts";
import { RegistryError } from "../errors.ts";

/** The role the caller needs on the account whose identity tokens it asks for. */
export const OPEN_ID_TOKEN_CREATOR = "roles/iam.serviceAccountOpenIdTokenCreator";

/** The Google identity `cip` acts as, and how it gets its access tokens. */
interface Caller {
  /** Who and from where, e.g. `ci@p.iam.gserviceaccount.com (metadata server HOST)`. */
  who: string;
  /** Who alone, e.g. `ci@p.iam.gserviceaccount.com`. */
  name: string;
  token: () => Promise<AccessToken>;
}

/** Identity tokens of one service account through `generateIdToken`; see the module comment. */
export class GoogleIdTokens {
  readonly #call: CallOptions;

  /** Tokens of `account`; `opts` says where the caller's credentials are. */
  constructor(readonly account: string, readonly opts: CredentialOptions) {
    this.#call = { fetch: opts.call ?? ownCallTransport(opts) };
  }

  /**
   * An identity token of the account for `audience`, with its e-mail address. Throws a
   * CredentialError when `cip` has no Google identity to ask with, a RegistryError when that
   * identity's access token cannot be had or the API refuses (a 403 names the role to grant);
   * neither names a token.
   */
  async token(audience: string): Promise<string> {
    const caller = await this.#caller();
    let access: AccessToken;
    try {
      access = await caller.token();
    } catch (e) {
      throw new RegistryError(`${caller.who} cannot get its own access token: ${reason(e)}`, {
        temporary: isTemporary(e),
      });
    }
    const base = this.opts.iamCredentialsUrl ?? IAM_CREDENTIALS_URL;
    try {
      return await generateIdToken(this.account, audience, access.token, base, this.#call);
    } catch (e) {
      throw this.#refusal(e, caller, access.token);
    }
  }

  /** The error of a failed `generateIdToken` call, without the caller's token. */
  #refusal(e: unknown, caller: Caller, secret: string): RegistryError {
    const why = reason(e).split(secret).join("[redacted]");
    const status = e instanceof GoogleCallError ? e.status : undefined;
    const init = { temporary: isTemporary(e), ...(status !== undefined ? { status } : {}) };
    if (status === 403) {
      return new RegistryError(
        `the IAM credentials API refused ${caller.who} an identity token of ${this.account} ` +
          `(${why}): ${caller.name} needs ${OPEN_ID_TOKEN_CREATOR} (permission ` +
          `iam.serviceAccounts.getOpenIdToken) on ${this.account}`,
        init,
      );
    }
    return new RegistryError(
      `the IAM credentials API (generateIdToken of ${this.account}, asked as ${caller.who}): ${why}`,
      init,
    );
  }

  /** The key or user of GOOGLE_APPLICATION_CREDENTIALS, else the metadata server's account. */
  async #caller(): Promise<Caller> {
    const tried: Attempt[] = [];
    const now = this.opts.now;
    const path = this.opts.env("GOOGLE_APPLICATION_CREDENTIALS");
    if (!path) tried.push({ source: "GOOGLE_APPLICATION_CREDENTIALS", reason: "not set" });
    else {
      const source = `GOOGLE_APPLICATION_CREDENTIALS ${path}`;
      const f = await this.#readCredentials(path);
      if (typeof f === "string") tried.push({ source, reason: f });
      else if (f.type === "service_account") {
        return {
          who: `${f.key.clientEmail} (${source})`,
          name: f.key.clientEmail,
          token: () => tokenFromKey(f.key, now, this.#call),
        };
      } else if (f.type === "authorized_user") {
        const url = this.opts.googleTokenUrl ?? "https://oauth2.googleapis.com/token";
        return {
          who: `the user of ${source}`,
          name: "that user",
          token: () => tokenFromUser(f.user, url, now, this.#call),
        };
      } else tried.push({ source, reason: `holds ${f.what}, which cip cannot use` });
    }
    const host = metadataHost(this.opts.env);
    const source = `metadata server ${host}`;
    try {
      const email = await metadataDefaultEmail(host, { ...this.#call, timeoutMs: 3000 });
      return {
        who: `${email} (${source})`,
        name: email,
        token: () => metadataToken(host, "default", now, this.#call),
      };
    } catch (e) {
      tried.push({ source, reason: reason(e), temporary: isTemporary(e) });
    }
    throw new CredentialError(
      `a Google identity to ask the IAM credentials API for an identity token of ${this.account}`,
      tried,
      { temporary: tried.some((a) => a.temporary) },
    );
  }

  /** A credential file parsed, or why it could not be read. */
  async #readCredentials(path: string): Promise<GoogleCredentialFile | string> {
    try {
      return parseCredentialFile(await (this.opts.readFile ?? readTextFile)(path));
    } catch (e) {
      return fileReadReason(e);
    }
  }
}
