/**
 * Offline Sigstore services for tests: `@sigstore/mock`'s Fulcio, Rekor v1 and timestamp
 * authority handlers served from one `Deno.serve` on 127.0.0.1, in strict mode, on one shared
 * clock of whole seconds, with the trusted root that matches their keys; and a fake GitHub
 * Actions OIDC token endpoint. The mock's per-service entry points are imported (the package
 * index loads `nock`, which does not intercept Deno's fetch anyway).
 *
 * Two defects of the mocks are worked around here: its timestamp authority writes times with
 * fewer than three fractional digits when the clock has milliseconds (which `@sigstore/core`
 * rejects), hence the whole-second clock; and its Rekor stores a `dsse` entry as proposed, not
 * in the canonical form real Rekor stores and verifiers check, hence `canonicalDsse`.
 */
import { Buffer } from "node:buffer";
import crypto from "node:crypto";
import { fulcioHandler, initializeCA, initializeCTLog } from "@sigstore/mock/fulcio";
import { initializeTLog, rekorHandler } from "@sigstore/mock/rekor";
import { initializeTSA, tsaHandler } from "@sigstore/mock/timestamp";

/** The OIDC issuer of the tokens the fake hands out. */
export const FAKE_ISSUER = "https://token.actions.fake.test";
/** The subject of the tokens the fake hands out unless told otherwise. */
export const FAKE_SUBJECT =
  "https://github.com/kubernetes/release/.github/workflows/promote.yaml@refs/heads/main";
/** Path of the fake GitHub Actions OIDC endpoint. */
const GITHUB_PATH = "/_github/token";

type Service = "fulcio" | "rekor" | "tsa" | "github";
type Handler = {
  path: string;
  fn: (body: string) => Promise<{ statusCode: number; response: unknown; contentType?: string }>;
};

/** An unsigned JWT (`alg: none`) with `claims`; the mock Fulcio accepts it as an identity token. */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.${
    Buffer.from(crypto.randomBytes(24)).toString("base64url")
  }`;
}

/** Rekor's canonical `dsse` v0.0.1 body for a proposed `dsse` entry (other entries unchanged). */
export function canonicalDsse(body: string): string {
  const entry = JSON.parse(body);
  if (entry.kind !== "dsse") return body;
  const proposed = entry.spec.proposedContent;
  const envelope = JSON.parse(proposed.envelope);
  const sha = (b: Uint8Array | string) => crypto.createHash("sha256").update(b).digest("hex");
  return JSON.stringify({
    apiVersion: "0.0.1",
    kind: "dsse",
    spec: {
      envelopeHash: { algorithm: "sha256", value: sha(proposed.envelope) },
      payloadHash: { algorithm: "sha256", value: sha(Buffer.from(envelope.payload, "base64")) },
      signatures: envelope.signatures.map((s: { sig: string }, i: number) => ({
        signature: s.sig,
        verifier: proposed.verifiers[i] ?? proposed.verifiers[0],
      })),
    },
  });
}

function keyPair() {
  return crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
}

const b64 = (bytes: ArrayBufferView) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");

/** Running fake services. */
export class FakeSigstore {
  /** Base URL of Fulcio, Rekor and the timestamp authority (one server). */
  readonly url: string;
  /** The trusted root (`trusted_root.json` content) of these services. */
  readonly trustedRoot: Record<string, unknown>;
  /** The shared clock of all services (whole seconds); move it with `advance`. */
  readonly clock: Date;
  /** Every request: service, path and body, in order. */
  readonly requests: { service: Service; path: string; body: string; headers: Headers }[] = [];
  /** Answers to give instead of the service's, by service. */
  readonly faults: Partial<Record<Service, { status: number; body: string }>> = {};
  /** Called before the service handles a request (e.g. to move the clock before Rekor). */
  before: (service: Service) => void = () => {};
  /** The runner's request token the fake GitHub endpoint expects. */
  readonly githubRequestToken = `ghs_${crypto.randomBytes(16).toString("hex")}`;
  /** The claims of the identity tokens the fake GitHub endpoint issues. */
  githubClaims: Record<string, unknown> = { iss: FAKE_ISSUER, sub: FAKE_SUBJECT };
  /** Every token the fake GitHub endpoint issued. */
  readonly issuedTokens: string[] = [];
  #handlers: Record<Exclude<Service, "github">, Handler>;
  #abort: AbortController;
  #server: Deno.HttpServer;

  private constructor(
    init: {
      url: string;
      root: Record<string, unknown>;
      clock: Date;
      handlers: Record<Exclude<Service, "github">, Handler>;
      abort: AbortController;
      server: Deno.HttpServer;
    },
  ) {
    this.url = init.url;
    this.trustedRoot = init.root;
    this.clock = init.clock;
    this.#handlers = init.handlers;
    this.#abort = init.abort;
    this.#server = init.server;
  }

  /** Starts the services on 127.0.0.1 (port chosen by the system). */
  static async start(): Promise<FakeSigstore> {
    const clock = new Date(0);
    const ctlog = await initializeCTLog(keyPair(), clock);
    const ca = await initializeCA(keyPair(), ctlog, clock);
    const tsa = await initializeTSA(keyPair(), clock);
    const rekorKeys = keyPair();
    // The mocks' own root certificates start at the real time of their creation: the clock
    // starts at the next whole second after them.
    clock.setTime(Math.ceil(Date.now() / 1000) * 1000 + 1000);
    const ref: { fake?: FakeSigstore } = {};
    const abort = new AbortController();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: abort.signal, onListen() {} },
      (req) => ref.fake!.#handle(req),
    );
    const url = `http://127.0.0.1:${server.addr.port}`;
    const tlog = await initializeTLog(url, rekorKeys, clock);
    const handlers = {
      fulcio: fulcioHandler(ca, { strict: true }) as Handler,
      rekor: rekorHandler(tlog, { strict: true }) as Handler,
      tsa: tsaHandler(tsa, { strict: true }) as Handler,
    };
    const start = new Date(clock.getTime() - 86_400_000).toISOString();
    const key = (raw: ArrayBufferView) => ({
      rawBytes: b64(raw),
      keyDetails: "PKIX_ECDSA_P256_SHA_256",
      validFor: { start },
    });
    const root = {
      mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
      tlogs: [{
        baseUrl: url,
        hashAlgorithm: "SHA2_256",
        publicKey: key(tlog.publicKey),
        logId: { keyId: b64(crypto.createHash("sha256").update(tlog.publicKey).digest()) },
      }],
      certificateAuthorities: [{
        subject: { organization: "sigstore.mock", commonName: "sigstore" },
        uri: url,
        certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
        validFor: { start },
      }],
      ctlogs: [{
        baseUrl: url,
        hashAlgorithm: "SHA2_256",
        publicKey: key(ctlog.publicKey),
        logId: { keyId: b64(ctlog.logID) },
      }],
      timestampAuthorities: [{
        subject: { organization: "sigstore.mock", commonName: "tsa" },
        uri: url,
        certChain: {
          certificates: [{ rawBytes: b64(tsa.intCertificate) }, {
            rawBytes: b64(tsa.rootCertificate),
          }],
        },
        validFor: { start },
      }],
    };
    ref.fake = new FakeSigstore({ url, root, clock, handlers, abort, server });
    return ref.fake;
  }

  /** Moves the shared clock forward by `ms` (a multiple of 1000 keeps it on whole seconds). */
  advance(ms: number): void {
    this.clock.setTime(this.clock.getTime() + ms);
  }

  /** An identity token for `claims` (issuer and subject of the fake by default). */
  token(claims: Record<string, unknown> = {}): string {
    return unsignedJwt({ iss: FAKE_ISSUER, sub: FAKE_SUBJECT, aud: "sigstore", ...claims });
  }

  /** The environment of a GitHub Actions job allowed to request identity tokens. */
  githubEnv(): Record<string, string> {
    return {
      ACTIONS_ID_TOKEN_REQUEST_URL: `${this.url}${GITHUB_PATH}?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: this.githubRequestToken,
    };
  }

  /** Stops the server. */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.#server.finished;
  }

  async #handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const body = await req.text();
    const service: Service | undefined = url.pathname === GITHUB_PATH
      ? "github"
      : (Object.keys(this.#handlers) as Exclude<Service, "github">[]).find((s) =>
        this.#handlers[s].path === url.pathname
      );
    if (!service) return new Response("not found", { status: 404 });
    this.requests.push({ service, path: url.pathname, body, headers: req.headers });
    const fault = this.faults[service];
    if (fault) return new Response(fault.body, { status: fault.status });
    this.before(service);
    if (service === "github") return this.#github(req, url);
    const input = service === "rekor" ? canonicalDsse(body) : body;
    const answer = await this.#handlers[service].fn(input);
    return new Response(answer.response as BodyInit, {
      status: answer.statusCode,
      headers: { "content-type": answer.contentType ?? "text/plain" },
    });
  }

  #github(req: Request, url: URL): Response {
    if (req.headers.get("authorization") !== `Bearer ${this.githubRequestToken}`) {
      return new Response(JSON.stringify({ message: "bad credentials" }), { status: 401 });
    }
    const audience = url.searchParams.get("audience");
    if (!audience) return new Response("{}", { status: 400 });
    const token = unsignedJwt({ ...this.githubClaims, aud: audience });
    this.issuedTokens.push(token);
    return Response.json({ count: 1, value: token });
  }
}
