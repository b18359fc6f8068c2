/**
 * GoogleIdTokens: identity tokens of a service account from the IAM credentials API
 * (`generateIdToken`), asked as the identity `cip` already is on Google, against FakeGoogle.
 */
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { Logger } from "../../../src/log.ts";
import {
  CredentialError,
  type CredentialOptions,
  GoogleIdTokens,
  OPEN_ID_TOKEN_CREATOR,
} from "../../../src/registry/auth/mod.ts";
import { RegistryError } from "../../../src/registry/errors.ts";
import { FakeClock } from "../../fakes/clock.ts";
import {
  FAKE_IAM_URL,
  FAKE_METADATA_HOST,
  FAKE_TOKEN_URI,
  FakeGoogle,
  GOOGLE_ISSUER,
} from "../../fakes/google.ts";

const SIGNER = "signer@prod.iam.gserviceaccount.com";
const CI = "ci-runner@ci.iam.gserviceaccount.com";

/** FakeGoogle, credential files, environment and a debug log, as CredentialOptions. */
function world(env: Record<string, string> = {}) {
  const clock = new FakeClock();
  const google = new FakeGoogle(clock.now);
  const files: Record<string, string> = {};
  const lines: string[] = [];
  const opts: CredentialOptions = {
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
  };
  return { google, files, lines, tokens: () => new GoogleIdTokens(SIGNER, opts) };
}

/** The claims of an unsigned JWT. */
function claims(jwt: string): Record<string, unknown> {
  const part = jwt.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(part));
}

/** Everything an error shows: message, causes, stack. */
function shown(e: unknown): string {
  return Deno.inspect(e, { depth: 10 });
}

Deno.test("GoogleIdTokens asks generateIdToken as the key in GOOGLE_APPLICATION_CREDENTIALS, with its bearer token and the audience", async () => {
  const w = world({ GOOGLE_APPLICATION_CREDENTIALS: "/adc.json" });
  w.files["/adc.json"] = await w.google.makeKey(CI);
  w.google.allowIdTokens(CI, SIGNER);
  const token = await w.tokens().token("sigstore");
  deepEqual(w.google.idTokens, [token]);
  const c = claims(token);
  equal(c.iss, GOOGLE_ISSUER);
  equal(c.email, SIGNER);
  equal(c.aud, "sigstore");
  deepEqual(w.google.idTokenRequests, [{
    target: SIGNER,
    caller: CI,
    body: { audience: "sigstore", includeEmail: true },
  }]);
  deepEqual(w.google.calls.map((c) => `${c.kind} ${c.url.pathname}`), [
    "token /token",
    `iam /v1/projects/-/serviceAccounts/${encodeURIComponent(SIGNER)}:generateIdToken`,
  ]);
});

Deno.test("GoogleIdTokens asks as the metadata server's account when GOOGLE_APPLICATION_CREDENTIALS is not set", async () => {
  const w = world({ GCE_METADATA_HOST: FAKE_METADATA_HOST });
  w.google.metadataAccount = CI;
  w.google.allowIdTokens(CI, SIGNER);
  equal(claims(await w.tokens().token("sigstore")).email, SIGNER);
  equal(w.google.idTokenRequests[0]!.caller, CI);
});

Deno.test("GoogleIdTokens asks as the user of application-default credentials", async () => {
  const w = world({ GOOGLE_APPLICATION_CREDENTIALS: "/user.json" });
  w.files["/user.json"] = w.google.makeUser("dev@example.com");
  w.google.allowIdTokens("dev@example.com", SIGNER);
  equal(claims(await w.tokens().token("sigstore")).email, SIGNER);
  equal(w.google.idTokenRequests[0]!.caller, "dev@example.com");
});

Deno.test("GoogleIdTokens: a 403 names the caller, the account and the role to grant, and no token", async () => {
  const w = world({ GOOGLE_APPLICATION_CREDENTIALS: "/adc.json" });
  w.files["/adc.json"] = await w.google.makeKey(CI);
  await rejects(w.tokens().token("sigstore"), (e) => {
    ok(e instanceof RegistryError, shown(e));
    equal(e.status, 403);
    equal(e.temporary, false);
    equal(
      e.message,
      `the IAM credentials API refused ${CI} (GOOGLE_APPLICATION_CREDENTIALS /adc.json) an ` +
        `identity token of ${SIGNER} (403 PERMISSION_DENIED: Permission ` +
        `'iam.serviceAccounts.getOpenIdToken' denied on resource (or it may not exist).): ` +
        `${CI} needs ${OPEN_ID_TOKEN_CREATOR} (permission iam.serviceAccounts.getOpenIdToken) ` +
        `on ${SIGNER}`,
    );
    for (const secret of w.google.secrets) ok(!shown(e).includes(secret), "no secret shown");
    return true;
  });
  equal(w.google.idTokens.length, 0);
});

Deno.test("GoogleIdTokens without any Google identity says what it tried", async () => {
  const w = world({ GCE_METADATA_HOST: FAKE_METADATA_HOST });
  await rejects(w.tokens().token("sigstore"), (e) => {
    ok(e instanceof CredentialError, shown(e));
    equal(
      e.message,
      "Cannot get a Google identity to ask the IAM credentials API for an identity token of " +
        `${SIGNER}: tried: GOOGLE_APPLICATION_CREDENTIALS: not set; metadata server ` +
        `${FAKE_METADATA_HOST}: not reachable (temporary)`,
    );
    return true;
  });
  deepEqual(w.google.calls.map((c) => c.kind), ["metadata"]);
});

Deno.test("GoogleIdTokens says when the caller's own access token cannot be had", async () => {
  const w = world({ GOOGLE_APPLICATION_CREDENTIALS: "/adc.json" });
  // A key the fake token endpoint does not know: its signature is refused.
  w.files["/adc.json"] = await new FakeGoogle().makeKey(CI);
  await rejects(w.tokens().token("sigstore"), (e) => {
    ok(e instanceof RegistryError, shown(e));
    equal(
      e.message,
      `${CI} (GOOGLE_APPLICATION_CREDENTIALS /adc.json) cannot get its own access token: ` +
        "400 invalid_grant: Invalid JWT Signature.",
    );
    return true;
  });
  equal(w.google.calls.filter((c) => c.kind === "iam").length, 0);
});

Deno.test("GoogleIdTokens never repeats the caller's token an answer quotes, in its error or the debug log", async () => {
  const w = world({ GOOGLE_APPLICATION_CREDENTIALS: "/adc.json" });
  w.files["/adc.json"] = await w.google.makeKey(CI);
  w.google.allowIdTokens(CI, SIGNER);
  w.google.idTokenFault = (bearer) =>
    Response.json({
      error: { code: 400, status: "INVALID_ARGUMENT", message: `bad token ${bearer}` },
    }, { status: 400 });
  await rejects(w.tokens().token("sigstore"), (e) => {
    ok(e instanceof RegistryError, shown(e));
    equal(e.status, 400);
    ok(e.message.includes("INVALID_ARGUMENT: bad token [redacted]"), e.message);
    ok(e.message.includes(`generateIdToken of ${SIGNER}, asked as ${CI}`), e.message);
    for (const secret of w.google.secrets) ok(!shown(e).includes(secret), "no secret in the error");
    return true;
  });
  ok(w.lines.some((l) => l.includes("generateIdToken")), "the call is logged at debug level");
  for (const secret of w.google.secrets) {
    ok(!w.lines.some((l) => l.includes(secret)), "no secret in the debug log");
  }
});

Deno.test("GoogleIdTokens: a 503 of the IAM credentials API is tried again, then temporary", async () => {
  const w = world({ GOOGLE_APPLICATION_CREDENTIALS: "/adc.json" });
  w.files["/adc.json"] = await w.google.makeKey(CI);
  w.google.allowIdTokens(CI, SIGNER);
  w.google.idTokenFault = () => new Response("busy", { status: 503 });
  await rejects(w.tokens().token("sigstore"), (e) => {
    ok(e instanceof RegistryError && e.temporary && e.status === 503, shown(e));
    return true;
  });
  ok(w.google.calls.filter((c) => c.kind === "iam").length > 1, "tried again");
});
