/** Bearer token auth of the fake registry: a token endpoint and per-repository scope checks. */
import { ociError } from "./registry_faults.ts";

/** Token auth settings of the fake registry. */
export interface FakeAuthOptions {
  /** Basic credentials the token endpoint accepts; anonymous tokens when absent. */
  users?: Record<string, string>;
  /** Token endpoint URL; default `https://<host>/token`. */
  tokenRealm?: string;
  /** The `service` of the challenge; default the registry host. */
  service?: string;
  /** Decides whether a user (undefined = anonymous) gets one `repository:x:action` grant. */
  grant?: (user: string | undefined, resource: string, action: string) => boolean;
  /** Lifetime of tokens in seconds sent as `expires_in`; default 300. */
  expiresIn?: number;
}

/** One call of the token endpoint as the fake saw it. */
export interface TokenRequest {
  user?: string;
  service: string | null;
  /** The `scope` parameters in the order sent. */
  scopes: string[];
}

/** Issues tokens and checks that requests carry one granting the scopes they need. */
export class FakeTokenAuth {
  readonly realm: string;
  readonly service: string;
  /** Every token request, in order. */
  readonly tokenRequests: TokenRequest[] = [];
  #opts: FakeAuthOptions;
  #tokens = new Map<string, Set<string>>();
  #next = 0;

  /** `host` is the registry host the challenge names by default. */
  constructor(host: string, opts: FakeAuthOptions) {
    this.#opts = opts;
    this.realm = opts.tokenRealm ?? `https://${host}/token`;
    this.service = opts.service ?? host;
  }

  /** Whether `url` is the token endpoint. */
  isRealm(url: URL): boolean {
    const realm = new URL(this.realm);
    return url.host === realm.host && url.pathname === realm.pathname;
  }

  /** Answers a token request. */
  issue(req: Request): Response {
    const url = new URL(req.url);
    let user: string | undefined;
    const header = req.headers.get("Authorization");
    if (header?.startsWith("Basic ")) {
      const decoded = atob(header.slice(6));
      const colon = decoded.indexOf(":");
      user = decoded.slice(0, colon);
      const password = decoded.slice(colon + 1);
      if (this.#opts.users?.[user] !== password) {
        return ociError(401, "UNAUTHORIZED", "bad credentials");
      }
    } else if (this.#opts.users !== undefined) {
      return ociError(401, "UNAUTHORIZED", "credentials required", {
        "WWW-Authenticate": `Basic realm="fake"`,
      });
    }
    const scopes = url.searchParams.getAll("scope");
    this.tokenRequests.push({ user, service: url.searchParams.get("service"), scopes });
    const granted = new Set<string>();
    for (const scope of scopes.flatMap((s) => s.split(" "))) {
      const parts = scope.split(":");
      if (parts.length < 3) continue;
      const actions = parts.pop()!.split(",");
      const resource = parts.join(":");
      for (const action of actions) {
        if (this.#opts.grant?.(user, resource, action) ?? true) {
          granted.add(`${resource}:${action}`);
        }
      }
    }
    const token = `fake-token-${++this.#next}`;
    this.#tokens.set(token, granted);
    return Response.json({
      token,
      access_token: token,
      expires_in: this.#opts.expiresIn ?? 300,
      issued_at: new Date(0).toISOString(),
    });
  }

  /**
   * Returns null when the request's token grants every `resource:action` in `needs`, else the
   * 401 challenge naming the scopes needed.
   */
  check(req: Request, needs: string[]): Response | null {
    const header = req.headers.get("Authorization");
    const token = header?.startsWith("Bearer ") ? header.slice(7) : undefined;
    const granted = token === undefined ? undefined : this.#tokens.get(token);
    if (granted !== undefined && needs.every((n) => granted.has(n))) return null;
    const scope = scopeString(needs);
    const challenge = `Bearer realm="${this.realm}",service="${this.service}"` +
      (scope === "" ? "" : `,scope="${scope}"`);
    const code = granted === undefined ? "UNAUTHORIZED" : "DENIED";
    return ociError(401, code, "authentication required", { "WWW-Authenticate": challenge });
  }
}

/** Groups `repository:x:pull`, `repository:x:push` into `repository:x:pull,push` scopes. */
function scopeString(needs: string[]): string {
  const byResource = new Map<string, string[]>();
  for (const n of needs) {
    const i = n.lastIndexOf(":");
    const resource = n.slice(0, i);
    byResource.set(resource, [...(byResource.get(resource) ?? []), n.slice(i + 1)]);
  }
  return [...byResource].map(([r, actions]) => `${r}:${actions.join(",")}`).join(" ");
}
