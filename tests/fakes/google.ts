/**
 * Fake Google credential endpoints as one fetch handler: an OAuth2 token_uri that verifies
 * RS256 JWT assertions with the public half of keys made in the test, a metadata server, and
 * IAM credentials `generateAccessToken` and `generateIdToken` (unsigned identity tokens the
 * mock Fulcio accepts).
 */
import { decodeProtectedHeader, exportPKCS8, generateKeyPair, jwtVerify } from "jose";

/** Origins of the fake endpoints. */
export const FAKE_TOKEN_URI = "https://oauth2.fake.test/token";
export const FAKE_METADATA_HOST = "metadata.fake.test";
export const FAKE_IAM_URL = "https://iamcredentials.fake.test";
/** The issuer of the identity tokens `generateIdToken` hands out, as Google's. */
export const GOOGLE_ISSUER = "https://accounts.google.com";

const CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";

/** A request the fake saw: where, and what kind. */
export interface GoogleCall {
  kind: "token" | "metadata" | "iam";
  url: URL;
}

/** The fake endpoints and their state. */
export class FakeGoogle {
  readonly calls: GoogleCall[] = [];
  /** Every secret the fake handed out or received (tokens, assertions, keys) for leak checks. */
  readonly secrets: string[] = [];
  /** Header and claims of every assertion accepted. */
  readonly assertions: { header: Record<string, unknown>; claims: Record<string, unknown> }[] = [];
  /** The account the metadata server serves; undefined = no metadata server. */
  metadataAccount: string | undefined;
  /** Lifetime of issued tokens, seconds. */
  expiresIn = 3599;
  /** Every `generateIdToken` request the fake granted: for whom, by whom, with what body. */
  readonly idTokenRequests: { target: string; caller: string; body: unknown }[] = [];
  /** Every identity token `generateIdToken` handed out. */
  readonly idTokens: string[] = [];
  /** An answer `generateIdToken` gives instead of its own, made from the caller's bearer token. */
  idTokenFault: ((bearer: string) => Response) | undefined;
  #publicKeys = new Map<string, { email: string; key: CryptoKey }>();
  #tokens = new Map<string, string>();
  #users = new Map<string, string>();
  #grants = new Map<string, Set<string>>();
  #idGrants = new Map<string, Set<string>>();
  #n = 0;

  /** `now` is the clock of issued tokens' expiry. */
  constructor(readonly now: () => number = Date.now) {}

  /** A new service-account key file (JSON text) for `email`, its public half kept here. */
  async makeKey(email: string, tokenUri = FAKE_TOKEN_URI): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
    const kid = `kid-${++this.#n}`;
    this.#publicKeys.set(kid, { email, key: publicKey });
    const pem = await exportPKCS8(privateKey);
    this.secrets.push(pem.split("\n")[1]!);
    return JSON.stringify({
      type: "service_account",
      project_id: "proj",
      private_key_id: kid,
      private_key: pem,
      client_email: email,
      client_id: "1",
      token_uri: tokenUri,
    });
  }

  /** User credentials (authorized_user JSON) for `email`. */
  makeUser(email: string): string {
    const refresh = `1//refresh-${crypto.randomUUID()}`;
    const secret = `secret-${crypto.randomUUID()}`;
    this.#users.set(refresh, email);
    this.secrets.push(refresh, secret);
    return JSON.stringify({
      type: "authorized_user",
      client_id: "cid",
      client_secret: secret,
      refresh_token: refresh,
    });
  }

  /** Lets `caller` impersonate `target`. */
  allowImpersonation(caller: string, target: string): void {
    const s = this.#grants.get(caller) ?? new Set();
    s.add(target);
    this.#grants.set(caller, s);
  }

  /** Lets `caller` get identity tokens of `target` (roles/iam.serviceAccountOpenIdTokenCreator). */
  allowIdTokens(caller: string, target: string): void {
    const s = this.#idGrants.get(caller) ?? new Set();
    s.add(target);
    this.#idGrants.set(caller, s);
  }

  /** Whose token `token` is, if the fake issued it and it is still valid. */
  accountOf(token: string): string | undefined {
    return this.#tokens.get(token);
  }

  #issue(email: string): { token: string; seconds: number } {
    const token = `ya29.fake-${++this.#n}-${crypto.randomUUID()}`;
    this.#tokens.set(token, email);
    this.secrets.push(token);
    return { token, seconds: this.expiresIn };
  }

  /** The fetch handler. */
  fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    if (url.href === FAKE_TOKEN_URI) {
      this.calls.push({ kind: "token", url });
      return await this.#token(new URLSearchParams(await req.text()));
    }
    if (url.host === FAKE_METADATA_HOST) {
      this.calls.push({ kind: "metadata", url });
      return this.#metadata(req, url);
    }
    if (url.origin === FAKE_IAM_URL) {
      this.calls.push({ kind: "iam", url });
      return this.#iam(req, url);
    }
    throw new TypeError(`fake google: connection refused (${url.host})`);
  };

  async #token(form: URLSearchParams): Promise<Response> {
    const bad = (d: string) =>
      Response.json({ error: "invalid_grant", error_description: d }, { status: 400 });
    if (form.get("grant_type") === "refresh_token") {
      const email = this.#users.get(form.get("refresh_token") ?? "");
      if (!email) return bad("Bad refresh token");
      const t = this.#issue(email);
      return Response.json({ access_token: t.token, expires_in: t.seconds, token_type: "Bearer" });
    }
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      return bad("grant_type");
    }
    const assertion = form.get("assertion") ?? "";
    this.secrets.push(assertion);
    let header: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(assertion) as Record<string, unknown>;
    } catch {
      return bad("Invalid JWT");
    }
    const pub = this.#publicKeys.get(String(header.kid));
    if (!pub) return bad("Invalid JWT Signature.");
    let claims: Record<string, unknown>;
    try {
      const v = await jwtVerify(assertion, pub.key, {
        algorithms: ["RS256"],
        audience: FAKE_TOKEN_URI,
        issuer: pub.email,
        currentDate: new Date(this.now()),
      });
      claims = v.payload as Record<string, unknown>;
    } catch {
      return bad("Invalid JWT Signature.");
    }
    const iat = Number(claims.iat), exp = Number(claims.exp);
    if (claims.scope !== CLOUD_PLATFORM || !(exp > iat && exp - iat <= 3600)) {
      return bad("Invalid claims");
    }
    this.assertions.push({ header, claims });
    const t = this.#issue(pub.email);
    return Response.json({ access_token: t.token, expires_in: t.seconds, token_type: "Bearer" });
  }

  #metadata(req: Request, url: URL): Response {
    if (req.headers.get("metadata-flavor") !== "Google") {
      return new Response("missing flavor", { status: 403 });
    }
    const account = this.metadataAccount;
    if (account === undefined) throw new TypeError("fake metadata: not reachable");
    const m = /^\/computeMetadata\/v1\/instance\/service-accounts\/([^/]+)\/(email|token)$/.exec(
      url.pathname,
    );
    if (!m) return new Response("not found", { status: 404 });
    const name = decodeURIComponent(m[1]!);
    if (name !== "default" && name !== account) return new Response("not found", { status: 404 });
    if (m[2] === "email") return new Response(account);
    const t = this.#issue(account);
    return Response.json({ access_token: t.token, expires_in: t.seconds, token_type: "Bearer" });
  }

  async #iam(req: Request, url: URL): Promise<Response> {
    const m = /^\/v1\/projects\/-\/serviceAccounts\/([^/:]+):(generateAccessToken|generateIdToken)$/
      .exec(url.pathname);
    if (!m || req.method !== "POST") return new Response("not found", { status: 404 });
    const target = decodeURIComponent(m[1]!);
    const caller = this.#tokens.get(
      (req.headers.get("authorization") ?? "").replace(/^Bearer /, ""),
    );
    if (!caller) {
      return Response.json({
        error: {
          code: 401,
          status: "UNAUTHENTICATED",
          message: "Request had invalid authentication credentials.",
        },
      }, { status: 401 });
    }
    if (m[2] === "generateIdToken") return this.#idToken(req, target, caller);
    const body = await req.json() as { scope?: string[]; lifetime?: string };
    if (!body.scope?.includes(CLOUD_PLATFORM)) return new Response("bad scope", { status: 400 });
    if (!this.#grants.get(caller)?.has(target)) {
      return Response.json({
        error: {
          code: 403,
          status: "PERMISSION_DENIED",
          message:
            "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
        },
      }, { status: 403 });
    }
    const t = this.#issue(target);
    return Response.json({
      accessToken: t.token,
      expireTime: new Date(this.now() + t.seconds * 1000).toISOString(),
    });
  }

  /**
   * `generateIdToken`: `{"audience", "includeEmail": true}` from a caller allowed to, answered
   * with an unsigned JWT (`alg: none`) of Google's issuer for `target`. Google puts the
   * account's numeric id in `sub`; the mock Fulcio certifies `sub`, so the fake puts the
   * address there, which is what real Fulcio certifies for a verified Google e-mail.
   */
  async #idToken(req: Request, target: string, caller: string): Promise<Response> {
    let body: { audience?: unknown; includeEmail?: unknown };
    try {
      body = await req.json();
    } catch {
      return new Response("not JSON", { status: 400 });
    }
    if (typeof body.audience !== "string" || body.audience === "" || body.includeEmail !== true) {
      return Response.json({
        error: { code: 400, status: "INVALID_ARGUMENT", message: "audience and includeEmail" },
      }, { status: 400 });
    }
    if (!this.#idGrants.get(caller)?.has(target)) {
      return Response.json({
        error: {
          code: 403,
          status: "PERMISSION_DENIED",
          message:
            "Permission 'iam.serviceAccounts.getOpenIdToken' denied on resource (or it may not exist).",
        },
      }, { status: 403 });
    }
    if (this.idTokenFault) {
      return this.idTokenFault((req.headers.get("authorization") ?? "").replace(/^Bearer /, ""));
    }
    this.idTokenRequests.push({ target, caller, body });
    const iat = Math.floor(this.now() / 1000);
    const part = (o: unknown) =>
      btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const token = `${part({ alg: "none", typ: "JWT" })}.${
      part({
        iss: GOOGLE_ISSUER,
        sub: target,
        aud: body.audience,
        azp: `${++this.#n}`,
        email: target,
        email_verified: true,
        iat,
        exp: iat + 3600,
      })
    }.${part(crypto.randomUUID())}`;
    this.idTokens.push(token);
    this.secrets.push(token);
    return Response.json({ token });
  }
}
