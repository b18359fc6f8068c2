/**
 * Where keyless signing gets its OIDC identity token: a value (from `--identity-token=FILE` or
 * `SIGSTORE_ID_TOKEN`), GitHub Actions' OIDC endpoint, or any provider function (the Google
 * `generateIdToken` source plugs in here). A source is asked each time a Fulcio certificate is
 * needed, for the audience `sigstore`. No error names the token or the request token.
 */
import { scrub, TokenError } from "./errors.ts";

/** The audience Fulcio expects. */
export const SIGSTORE_AUDIENCE = "sigstore";

/** A source of identity tokens. */
export interface TokenSource {
  /** Where the token comes from, for messages, e.g. `SIGSTORE_ID_TOKEN`. */
  readonly name: string;
  /** An identity token for `audience`; throws TokenError when none can be had. */
  token(audience: string): Promise<string>;
}

/** A source that always gives `value` (a token read earlier). */
export function tokenFromValue(name: string, value: string): TokenSource {
  return {
    name,
    token: () => {
      const token = value.trim();
      if (token === "") return Promise.reject(new TokenError(name, "it is empty"));
      return Promise.resolve(token);
    },
  };
}

/** A source reading the file at `path` each time (CI systems rotate such files). */
export function tokenFromFile(
  path: string,
  readTextFile: (path: string) => Promise<string> = Deno.readTextFile,
): TokenSource {
  const name = `the file ${path}`;
  return {
    name,
    token: async () => {
      let text: string;
      try {
        text = await readTextFile(path);
      } catch (e) {
        throw new TokenError(name, `it cannot be read (${e instanceof Error ? e.name : "error"})`, {
          cause: e,
        });
      }
      return tokenFromValue(name, text).token(SIGSTORE_AUDIENCE);
    },
  };
}

/** A source reading the environment variable `variable` (default `SIGSTORE_ID_TOKEN`). */
export function tokenFromEnv(
  variable = "SIGSTORE_ID_TOKEN",
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): TokenSource {
  return {
    name: variable,
    token: () => {
      const value = env(variable);
      if (value === undefined) return Promise.reject(new TokenError(variable, "it is not set"));
      return tokenFromValue(variable, value).token(SIGSTORE_AUDIENCE);
    },
  };
}

/**
 * A source calling `provide(audience)`, e.g. Google's `generateIdToken` through the transport.
 * The provider's errors must name no secret: their message becomes the reason, and their
 * `temporary` (when true) is kept.
 */
export function tokenFromProvider(
  name: string,
  provide: (audience: string) => Promise<string>,
): TokenSource {
  return {
    name,
    token: async (audience) => {
      let value: string;
      try {
        value = await provide(audience);
      } catch (e) {
        if (e instanceof TokenError) throw e;
        const reason = e instanceof Error && e.message !== "" ? e.message : "the provider failed";
        const temporary = (e as { temporary?: unknown } | null)?.temporary === true;
        throw new TokenError(name, reason, { temporary, cause: e });
      }
      return tokenFromValue(name, value).token(audience);
    },
  };
}

/** Where GitHub Actions' OIDC token endpoint is, and the runner's request token. */
export interface GitHubActionsOptions {
  /** Reads `ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN`. */
  env?: (name: string) => string | undefined;
  /** The fetch to call the endpoint with. */
  fetch?: typeof fetch;
}

const GITHUB = "GitHub Actions OIDC";

/**
 * GitHub Actions' OIDC endpoint: `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=<audience>` with the
 * bearer `$ACTIONS_ID_TOKEN_REQUEST_TOKEN`, answering `{"value": "<jwt>"}`. The workflow needs
 * `permissions: id-token: write`.
 */
export function githubActionsToken(options: GitHubActionsOptions = {}): TokenSource {
  const env = options.env ?? ((n: string) => Deno.env.get(n));
  const doFetch = options.fetch ?? fetch;
  return {
    name: GITHUB,
    token: async (audience) => {
      const endpoint = env("ACTIONS_ID_TOKEN_REQUEST_URL");
      const bearer = env("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
      if (!endpoint || !bearer) {
        throw new TokenError(
          GITHUB,
          "ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set " +
            "(the workflow needs `permissions: id-token: write`)",
        );
      }
      let url: URL;
      try {
        url = new URL(endpoint);
      } catch {
        throw new TokenError(GITHUB, "ACTIONS_ID_TOKEN_REQUEST_URL is not a URL");
      }
      url.searchParams.append("audience", audience);
      let response: Response;
      try {
        response = await doFetch(url, {
          headers: { authorization: `Bearer ${bearer}`, accept: "application/json" },
        });
      } catch (e) {
        throw new TokenError(GITHUB, `the endpoint ${url.origin} cannot be reached`, {
          temporary: true,
          cause: new Error(scrub(e instanceof Error ? e.message : String(e), [bearer])),
        });
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new TokenError(GITHUB, `the endpoint answered ${response.status}`, {
          temporary: response.status === 429 || response.status >= 500,
        });
      }
      let value: unknown;
      try {
        value = (await response.json() as { value?: unknown }).value;
      } catch {
        value = undefined;
      }
      if (typeof value !== "string") throw new TokenError(GITHUB, "the answer has no token");
      return tokenFromValue(GITHUB, value).token(audience);
    },
  };
}
