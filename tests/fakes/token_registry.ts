/**
 * A minimal registry with token auth, as a fetch handler: enough to test the transport's auth
 * (realm, scopes, Basic users, identity tokens, expiry). Paths under /v2/<repo>/... answer
 * `ok <method> <repo>` when the token has the scope the method needs.
 */

/** A request the fake saw. */
export interface Seen {
  method: string;
  url: URL;
  authorization: string | null;
  bodyBytes: number;
}

/** Options of the fake. */
export interface TokenRegistryOptions {
  /** Origin of the registry, e.g. `https://reg.test`. */
  origin?: string;
  /** Users allowed to get tokens (Basic on the realm); empty with `anonymous` = open. */
  users?: Record<string, string> | ((user: string, password: string) => boolean);
  /** Identity (refresh) tokens accepted by POST to the realm, mapped to a user. */
  identityTokens?: Record<string, string>;
  /** Whether anonymous token requests get pull-only tokens. */
  anonymousPull?: boolean;
  /** `expires_in` of issued tokens, seconds; undefined leaves it out. */
  expiresIn?: number;
  now?: () => number;
  /** Leave `service` out of the challenge (as Artifact Registry does). */
  noService?: boolean;
}

interface Issued {
  scopes: Map<string, Set<string>>;
  expiresAt: number;
}

/** The fake registry with its realm at `<origin>/token`. */
export class TokenRegistry {
  readonly origin: string;
  readonly seen: Seen[] = [];
  readonly tokenRequests: URL[] = [];
  readonly tokenForms: URLSearchParams[] = [];
  #tokens = new Map<string, Issued>();
  #n = 0;

  /** A fake with the given users and rules. */
  constructor(readonly opts: TokenRegistryOptions = {}) {
    this.origin = opts.origin ?? "https://reg.test";
  }

  /** The challenge header for a scope. */
  challenge(scope?: string): string {
    const service = this.opts.noService ? "" : `,service="reg.test"`;
    return `Bearer realm="${this.origin}/token"${service}` + (scope ? `,scope="${scope}"` : "");
  }

  /** Every token value issued so far (for secret-leak checks). */
  get issued(): string[] {
    return [...this.#tokens.keys()];
  }

  /** Forgets all issued tokens: every later request with one gets a 401. */
  revokeAll(): void {
    this.#tokens.clear();
  }

  /** The fetch handler. */
  fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    const body = req.body ? new Uint8Array(await req.arrayBuffer()) : new Uint8Array();
    this.seen.push({
      method: req.method,
      url,
      authorization: req.headers.get("authorization"),
      bodyBytes: body.length,
    });
    if (url.origin !== this.origin) return new Response("wrong host", { status: 502 });
    if (url.pathname === "/token") return this.#token(req, url, body);
    const m = /^\/v2\/(?:(.+?)\/(manifests|blobs|tags)\/.*)?$/.exec(url.pathname);
    if (!m) return new Response("not found", { status: 404 });
    const repo = m[1];
    const need = repo === undefined
      ? undefined
      : `repository:${repo}:${req.method === "GET" || req.method === "HEAD" ? "pull" : "push"}`;
    const auth = req.headers.get("authorization") ?? "";
    const issued = auth.startsWith("Bearer ") ? this.#tokens.get(auth.slice(7)) : undefined;
    const now = (this.opts.now ?? Date.now)();
    const valid = issued !== undefined && issued.expiresAt > now;
    const allowed = valid && (need === undefined || this.#grants(issued!, need));
    if (!allowed) {
      return Response.json(
        { errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] },
        { status: 401, headers: { "www-authenticate": this.challenge(need) } },
      );
    }
    return new Response(req.method === "HEAD" ? null : `ok ${req.method} ${repo ?? ""}`, {
      status: 200,
    });
  };

  #grants(t: Issued, need: string): boolean {
    const [type, name, action] = need.split(":") as [string, string, string];
    return t.scopes.get(`${type}:${name}`)?.has(action) ?? false;
  }

  #token(req: Request, url: URL, body: Uint8Array): Response {
    this.tokenRequests.push(url);
    let user: string | undefined;
    let scopes: string[];
    if (req.method === "POST") {
      const form = new URLSearchParams(new TextDecoder().decode(body));
      this.tokenForms.push(form);
      user = form.get("grant_type") === "refresh_token"
        ? this.opts.identityTokens?.[form.get("refresh_token") ?? ""]
        : undefined;
      if (user === undefined) return new Response("bad refresh token", { status: 401 });
      scopes = (form.get("scope") ?? "").split(" ").filter((s) => s !== "");
    } else {
      const auth = req.headers.get("authorization");
      if (auth?.startsWith("Basic ")) {
        const [u, ...p] = atob(auth.slice(6)).split(":");
        const users = this.opts.users;
        const good = typeof users === "function"
          ? users(u!, p.join(":"))
          : users?.[u!] === p.join(":");
        if (!good) {
          return Response.json({ errors: [{ code: "UNAUTHORIZED" }] }, { status: 401 });
        }
        user = u;
      } else if (!this.opts.anonymousPull) {
        return Response.json({ errors: [{ code: "UNAUTHORIZED" }] }, { status: 401 });
      }
      scopes = url.searchParams.getAll("scope");
    }
    const granted = new Map<string, Set<string>>();
    for (const s of scopes) {
      const last = s.lastIndexOf(":");
      const actions = s.slice(last + 1).split(",").filter((a) =>
        user !== undefined || a === "pull"
      );
      granted.set(s.slice(0, last), new Set(actions));
    }
    const value = `regtoken-${++this.#n}-${crypto.randomUUID()}`;
    const now = (this.opts.now ?? Date.now)();
    const seconds = this.opts.expiresIn ?? 60;
    this.#tokens.set(value, { scopes: granted, expiresAt: now + seconds * 1000 });
    const out: Record<string, unknown> = { token: value, access_token: value };
    if (this.opts.expiresIn !== undefined) out.expires_in = this.opts.expiresIn;
    return Response.json(out);
  }
}
