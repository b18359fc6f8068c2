import { equal, ok, rejects } from "node:assert/strict";
import { describeError } from "../../src/describe_error.ts";
import {
  githubActionsToken,
  KeylessSigner,
  ServiceError,
  SIGSTORE_AUDIENCE,
  SigstoreError,
  tokenFromProvider,
  tokenFromValue,
} from "../../src/sigstore/mod.ts";
import { Logger } from "../../src/log.ts";
import { GoogleIdTokens } from "../../src/registry/auth/mod.ts";
import { FAKE_IAM_URL, FakeGoogle } from "../fakes/google.ts";
import { DIGEST, withWorld } from "./world.ts";

/** Everything an error could show: its chain as one line and Deno's inspection (stack, causes). */
function shown(e: unknown): string {
  return `${describeError(e)}\n${Deno.inspect(e, { depth: 10 })}`;
}

function assertHidden(e: unknown, secret: string): void {
  const text = shown(e);
  for (const part of [secret, ...secret.split(".").filter((p) => p.length >= 8)]) {
    ok(!text.includes(part), `the error shows a secret:\n${text}`);
  }
}

Deno.test("a Fulcio refusal quoting the identity token is reported without it", async () => {
  await withWorld(async (w) => {
    const token = w.fake.token();
    w.fake.faults.fulcio = { status: 401, body: JSON.stringify({ message: `bad token ${token}` }) };
    const signer = w.signer({ token: tokenFromValue("SIGSTORE_ID_TOKEN", token) });
    await rejects(signer.signImage(DIGEST), (e) => {
      ok(e instanceof SigstoreError);
      ok(e.cause instanceof ServiceError);
      equal(e.cause.status, 401);
      equal(
        describeError(e),
        `Cannot sign ${DIGEST}: Cannot get a signing certificate from Fulcio: ` +
          `${w.fake.url}/api/v2/signingCert answered 401: bad token [redacted]`,
      );
      assertHidden(e, token);
      return true;
    });
  });
});

Deno.test("an unreachable Fulcio is a temporary failure that does not show the token", async () => {
  await withWorld(async (w) => {
    const token = w.fake.token();
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const closedPort = listener.addr.port;
    listener.close();
    const signer = new KeylessSigner({
      token: tokenFromValue("SIGSTORE_ID_TOKEN", token),
      fulcioUrl: `http://127.0.0.1:${closedPort}`,
      rekorUrl: w.fake.url,
    });
    await rejects(signer.signImage(DIGEST), (e) => {
      ok(e instanceof SigstoreError && e.temporary, shown(e));
      assertHidden(e, token);
      return true;
    });
  });
});

Deno.test("a Rekor 503 fails the signature as temporary, and the token went to Fulcio only", async () => {
  await withWorld(async (w) => {
    const token = w.fake.token();
    w.fake.faults.rekor = { status: 503, body: "busy" };
    const signer = w.signer({
      token: tokenFromValue("SIGSTORE_ID_TOKEN", token),
      tsaUrl: w.fake.url,
    });
    await rejects(signer.signImage(DIGEST), (e) => {
      ok(e instanceof SigstoreError && e.temporary);
      ok(describeError(e).includes("Rekor"), describeError(e));
      assertHidden(e, token);
      return true;
    });
    const carriers = w.fake.requests.filter((r) => r.body.includes(token)).map((r) => r.service);
    equal(carriers.join(), "fulcio");
  });
});

Deno.test("a signature carries the certificate, never the token", async () => {
  await withWorld(async (w) => {
    const token = w.fake.token();
    const signed = await w.signer({ token: tokenFromValue("SIGSTORE_ID_TOKEN", token) })
      .signImage(DIGEST, { cosignReference: "registry.k8s.io/x" });
    const everything = new TextDecoder().decode(signed.bundle) + JSON.stringify(signed.cosign) +
      Deno.inspect(signed, { depth: 10 });
    for (const part of token.split(".").filter((p) => p.length >= 8)) {
      ok(!everything.includes(part));
    }
  });
});

Deno.test("a failing GitHub token endpoint never shows the runner's request token", async () => {
  await withWorld(async (w) => {
    const env = w.fake.githubEnv();
    w.fake.faults.github = { status: 500, body: `no: ${w.fake.githubRequestToken}` };
    const source = githubActionsToken({ env: (n) => env[n] });
    await rejects(source.token(SIGSTORE_AUDIENCE), (e) => {
      assertHidden(e, w.fake.githubRequestToken);
      ok(e instanceof SigstoreError && e.temporary);
      return true;
    });
    const signer = w.signer({ token: source });
    await rejects(signer.signImage(DIGEST), (e) => {
      assertHidden(e, w.fake.githubRequestToken);
      return true;
    });
  });
});

Deno.test("--signer-account's source never shows the Google access token or key, even when the IAM answer quotes them", async () => {
  await withWorld(async (w) => {
    const google = new FakeGoogle(() => w.fake.clock.getTime());
    const caller = "ci@ci.iam.gserviceaccount.com";
    const signer = "signer@prod.iam.gserviceaccount.com";
    const key = await google.makeKey(caller);
    google.allowIdTokens(caller, signer);
    google.idTokenFault = (bearer) =>
      Response.json({ error: { status: "UNAUTHENTICATED", message: `token ${bearer}` } }, {
        status: 401,
      });
    const lines: string[] = [];
    const tokens = new GoogleIdTokens(signer, {
      keyFiles: [],
      env: (n) => n === "GOOGLE_APPLICATION_CREDENTIALS" ? "/adc.json" : undefined,
      readFile: () => Promise.resolve(key),
      fetch: google.fetch,
      now: () => w.fake.clock.getTime(),
      log: new Logger("debug", (t) => lines.push(t)),
      iamCredentialsUrl: FAKE_IAM_URL,
    });
    const source = tokenFromProvider(`Google service account ${signer}`, (a) => tokens.token(a));
    await rejects(w.signer({ token: source }).signImage(DIGEST), (e) => {
      ok(describeError(e).includes("401 UNAUTHENTICATED: token [redacted]"), describeError(e));
      ok(google.secrets.length >= 2, "a key and an access token were made");
      for (const secret of google.secrets) {
        assertHidden(e, secret);
        ok(!lines.some((l) => l.includes(secret)), "no secret in the debug log");
      }
      return true;
    });
  });
});
