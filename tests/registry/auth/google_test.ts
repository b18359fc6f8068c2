import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { Logger } from "../../../src/log.ts";
import {
  CredentialCache,
  CredentialError,
  type CredentialOptions,
  credentialsFor,
  verify,
} from "../../../src/registry/auth/mod.ts";
import { FakeClock } from "../../fakes/clock.ts";
import {
  FAKE_IAM_URL,
  FAKE_METADATA_HOST,
  FAKE_TOKEN_URI,
  FakeGoogle,
} from "../../fakes/google.ts";

const SA = "promoter@prod.iam.gserviceaccount.com";
const OTHER = "ci-runner@ci.iam.gserviceaccount.com";

/** A test world: fake Google, fake files, environment, clock, captured log. */
export function world(files: Record<string, string> = {}, env: Record<string, string> = {}) {
  const clock = new FakeClock();
  const google = new FakeGoogle(clock.now);
  const lines: string[] = [];
  const opts = (o: Partial<CredentialOptions> = {}): CredentialOptions => ({
    serviceAccount: SA,
    keyFiles: [],
    env: (n) => env[n],
    fetch: google.fetch,
    now: clock.now,
    log: new Logger("debug", (t) => lines.push(t)),
    readFile: (p) =>
      p in files ? Promise.resolve(files[p]!) : Promise.reject(new Deno.errors.NotFound(p)),
    sleep: () => Promise.resolve(),
    iamCredentialsUrl: FAKE_IAM_URL,
    googleTokenUrl: FAKE_TOKEN_URI,
    ...o,
  });
  return { clock, google, lines, files, env, opts };
}

Deno.test("Google credentials use the --key-files key whose client_email is the account", async () => {
  const w = world();
  w.files["/k/other.json"] = await w.google.makeKey(OTHER);
  w.files["/k/prod.json"] = await w.google.makeKey(SA);
  const p = credentialsFor(
    "us-docker.pkg.dev",
    w.opts({ keyFiles: ["/k/other.json", "/k/prod.json"] }),
  );
  const creds = await p.basic("us-docker.pkg.dev");
  equal(creds?.username, "oauth2accesstoken");
  equal(w.google.accountOf(creds!.password), SA);
  ok(p.describe().includes("key file /k/prod.json"), p.describe());
  // A matching key ends the search: no metadata server or impersonation call.
  deepEqual(w.google.calls.map((c) => c.kind), ["token"]);
});

Deno.test("Google key JWTs are RS256 with kid, iss, aud = token_uri, scope and one hour", async () => {
  const w = world();
  w.files["/k.json"] = await w.google.makeKey(SA);
  await credentialsFor("gcr.io", w.opts({ keyFiles: ["/k.json"] })).basic("gcr.io");
  const a = w.google.assertions[0]!;
  equal(a.header.alg, "RS256");
  equal(a.header.kid, JSON.parse(w.files["/k.json"]!).private_key_id);
  equal(a.claims.iss, SA);
  equal(a.claims.aud, FAKE_TOKEN_URI);
  equal(a.claims.scope, "https://www.googleapis.com/auth/cloud-platform");
  equal(Number(a.claims.exp) - Number(a.claims.iat), 3600);
  equal(Number(a.claims.iat), Math.floor(w.clock.now() / 1000));
});

Deno.test("Google credentials use GOOGLE_APPLICATION_CREDENTIALS when it is the account's key", async () => {
  const w = world({}, { GOOGLE_APPLICATION_CREDENTIALS: "/adc.json" });
  w.files["/adc.json"] = await w.google.makeKey(SA);
  const p = credentialsFor("gcr.io", w.opts());
  equal(w.google.accountOf((await p.basic("gcr.io"))!.password), SA);
  ok(p.describe().includes("GOOGLE_APPLICATION_CREDENTIALS"));
});

Deno.test("Google credentials use the metadata server (GCE_METADATA_HOST) when it serves the account", async () => {
  const w = world({}, { GCE_METADATA_HOST: FAKE_METADATA_HOST });
  w.google.metadataAccount = SA;
  const p = credentialsFor("gcr.io", w.opts());
  equal(w.google.accountOf((await p.basic("gcr.io"))!.password), SA);
  ok(w.google.calls.every((c) => c.kind === "metadata"));
  ok(p.describe().includes(`metadata server ${FAKE_METADATA_HOST}`));
});

Deno.test("Google credentials impersonate the account with another identity's key", async () => {
  const w = world({}, { GOOGLE_APPLICATION_CREDENTIALS: "/adc.json" });
  w.files["/adc.json"] = await w.google.makeKey(OTHER);
  w.google.allowImpersonation(OTHER, SA);
  const p = credentialsFor("gcr.io", w.opts());
  equal(w.google.accountOf((await p.basic("gcr.io"))!.password), SA);
  deepEqual(w.google.calls.map((c) => c.kind), ["token", "iam"]);
  ok(p.describe().includes("impersonation"), p.describe());
});

Deno.test("Google credentials impersonate the account with the metadata server's default account", async () => {
  const w = world({}, { GCE_METADATA_HOST: FAKE_METADATA_HOST });
  w.google.metadataAccount = OTHER;
  w.google.allowImpersonation(OTHER, SA);
  const p = credentialsFor("gcr.io", w.opts());
  equal(w.google.accountOf((await p.basic("gcr.io"))!.password), SA);
});

Deno.test("Google credentials impersonate with user application-default credentials", async () => {
  const w = world({}, { GOOGLE_APPLICATION_CREDENTIALS: "/user.json" });
  w.files["/user.json"] = w.google.makeUser("dev@example.com");
  w.google.allowImpersonation("dev@example.com", SA);
  const p = credentialsFor("gcr.io", w.opts());
  equal(w.google.accountOf((await p.basic("gcr.io"))!.password), SA);
});

Deno.test("Google credentials fail with every source tried and why, before any registry call", async () => {
  const w = world({}, {
    GOOGLE_APPLICATION_CREDENTIALS: "/adc.json",
    GCE_METADATA_HOST: FAKE_METADATA_HOST,
  });
  w.files["/k/other.json"] = await w.google.makeKey(OTHER);
  w.files["/adc.json"] = await w.google.makeKey(OTHER);
  w.files["/k/bad.json"] = "{not json";
  const p = credentialsFor(
    "gcr.io",
    w.opts({ keyFiles: ["/k/other.json", "/k/missing.json", "/k/bad.json"] }),
  );
  await rejects(verify(p), (e) => {
    ok(e instanceof CredentialError);
    const m = e.message;
    ok(m.includes(SA), m);
    ok(m.includes(`key file /k/other.json: is the key of ${OTHER}`), m);
    ok(m.includes("key file /k/missing.json: does not exist"), m);
    ok(m.includes("key file /k/bad.json: is not JSON"), m);
    ok(m.includes(`GOOGLE_APPLICATION_CREDENTIALS /adc.json: is the key of ${OTHER}`), m);
    ok(m.includes(`metadata server ${FAKE_METADATA_HOST}: not reachable`), m);
    ok(/impersonation by .*PERMISSION_DENIED/.test(m), m);
    equal(e.attempts.length, 6);
    return true;
  });
});

Deno.test("Google credentials with no source at all say what is missing", async () => {
  const w = world({}, { GCE_METADATA_HOST: FAKE_METADATA_HOST });
  await rejects(verify(credentialsFor("gcr.io", w.opts())), (e) => {
    ok(e instanceof CredentialError);
    ok(e.message.includes("--key-files: none given"), e.message);
    ok(e.message.includes("GOOGLE_APPLICATION_CREDENTIALS: not set"), e.message);
    ok(e.message.includes("no ambient Google credential"), e.message);
    return true;
  });
});

Deno.test("Google access tokens are reused, and renewed five minutes before expiry", async () => {
  const w = world();
  w.files["/k.json"] = await w.google.makeKey(SA);
  const p = credentialsFor("gcr.io", w.opts({ keyFiles: ["/k.json"] }));
  const a = (await p.basic("gcr.io"))!.password;
  await w.clock.advance(3599_000 - 301_000);
  equal((await p.basic("gcr.io"))!.password, a);
  await w.clock.advance(2_000);
  const b = (await p.basic("gcr.io"))!.password;
  ok(a !== b);
  equal(w.google.calls.filter((c) => c.kind === "token").length, 2);
});

Deno.test("Google access tokens are shared by concurrent callers and by registries of one run", async () => {
  const w = world();
  w.files["/k.json"] = await w.google.makeKey(SA);
  const cache = new CredentialCache();
  const regions = ["us-docker.pkg.dev", "europe-docker.pkg.dev", "asia-docker.pkg.dev"];
  const providers = regions.map((h) => credentialsFor(h, w.opts({ keyFiles: ["/k.json"], cache })));
  const got = await Promise.all(
    providers.flatMap((p, i) => [p.basic(regions[i]!), p.basic(regions[i]!)]),
  );
  equal(new Set(got.map((c) => c!.password)).size, 1);
  equal(w.google.calls.filter((c) => c.kind === "token").length, 1);
});

Deno.test("Google credentials go to a non-Google host too when the manifest names an account", async () => {
  const w = world();
  w.files["/k.json"] = await w.google.makeKey(SA);
  const p = credentialsFor("registry.example.com", w.opts({ keyFiles: ["/k.json"] }));
  equal((await p.basic("registry.example.com"))?.username, "oauth2accesstoken");
});

Deno.test("Google credentials are given to their registry's host and to no other", async () => {
  const w = world();
  w.files["/k.json"] = await w.google.makeKey(SA);
  const p = credentialsFor("us-docker.pkg.dev", w.opts({ keyFiles: ["/k.json"] }));
  for (const other of ["evil.test", "us-docker.pkg.dev:8443", "127.0.0.2:5000"]) {
    equal(await p.basic(other), null, other);
  }
  equal(w.google.calls.length, 0, "no token is even fetched for another host");
  equal((await p.basic("US-DOCKER.PKG.DEV"))?.username, "oauth2accesstoken");
});

Deno.test("Google credentials name an external_account file as unusable", async () => {
  const w = world({}, { GOOGLE_APPLICATION_CREDENTIALS: "/wif.json" });
  w.files["/wif.json"] = JSON.stringify({ type: "external_account", audience: "//iam/x" });
  await rejects(verify(credentialsFor("gcr.io", w.opts())), (e) => {
    ok(e instanceof CredentialError);
    ok(e.message.includes('holds "external_account" credentials, which cip cannot use'), e.message);
    return true;
  });
});

Deno.test("Google token endpoints answering 503 are tried again after a pause", async () => {
  const w = world();
  w.files["/k.json"] = await w.google.makeKey(SA);
  let failures = 1;
  const sleeps: number[] = [];
  const fetch = (input: string | URL | Request, init?: RequestInit) =>
    failures-- > 0
      ? Promise.resolve(new Response("busy", { status: 503 }))
      : w.google.fetch(input, init);
  const p = credentialsFor(
    "gcr.io",
    w.opts({
      keyFiles: ["/k.json"],
      fetch,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    }),
  );
  equal(w.google.accountOf((await p.basic("gcr.io"))!.password), SA);
  // The run's retry policy: one wait, full jitter under the first ceiling of 0.5 s.
  equal(sleeps.length, 1);
  ok(sleeps[0]! >= 0 && sleeps[0]! < 500, `waited ${sleeps[0]} ms`);
});

Deno.test("Google credentials fail temporarily when the only source is unreachable", async () => {
  const w = world();
  w.files["/k.json"] = await w.google.makeKey(SA);
  const p = credentialsFor(
    "gcr.io",
    w.opts({
      keyFiles: ["/k.json"],
      fetch: () => Promise.resolve(new Response("", { status: 500 })),
    }),
  );
  await rejects(verify(p), (e) => {
    ok(e instanceof CredentialError);
    equal(e.temporary, true);
    ok(e.message.includes("key file /k.json: 500 (temporary)"), e.message);
    return true;
  });
});

Deno.test("a Google token endpoint whose answer never ends is read only up to its cap", async () => {
  const w = world();
  w.files["/k.json"] = await w.google.makeKey(SA);
  let pulled = 0;
  const endless = () =>
    new Response(
      new ReadableStream({
        pull(c) {
          pulled += 65536;
          c.enqueue(new Uint8Array(65536).fill(0x20));
        },
      }),
    );
  const p = credentialsFor(
    "gcr.io",
    w.opts({ keyFiles: ["/k.json"], fetch: () => Promise.resolve(endless()) }),
  );
  await rejects(
    verify(p),
    (e) =>
      e instanceof CredentialError &&
      /key file \/k\.json: the answer is larger than 1048576 bytes/.test(e.message),
  );
  ok(pulled <= 3 * (1048576 + 65536), String(pulled));
});
