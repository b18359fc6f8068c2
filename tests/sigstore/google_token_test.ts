/**
 * Signing as a Google service account: `tokenFromProvider` over GoogleIdTokens (the IAM
 * credentials API's generateIdToken, FakeGoogle) gives the mock Fulcio a token it certifies, and
 * the signature verifies as the account; a refusal reaches the signer as a TokenError naming
 * the account and the role, without any token.
 */
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { describeError } from "../../src/describe_error.ts";
import { Logger } from "../../src/log.ts";
import { GoogleIdTokens } from "../../src/registry/auth/mod.ts";
import {
  type AllowedIdentity,
  SigstoreError,
  TokenError,
  tokenFromProvider,
  verifyImageBundle,
} from "../../src/sigstore/mod.ts";
import { FAKE_IAM_URL, FakeGoogle, GOOGLE_ISSUER } from "../fakes/google.ts";
import { DIGEST, type SigstoreWorld, withWorld } from "./world.ts";

const SIGNER = "signer@prod.iam.gserviceaccount.com";
const CI = "ci-runner@ci.iam.gserviceaccount.com";
const AS_SIGNER: AllowedIdentity = { subject: { exact: SIGNER }, issuer: { exact: GOOGLE_ISSUER } };

/** A token source for SIGNER asking as CI's key in GOOGLE_APPLICATION_CREDENTIALS. */
async function googleSource(w: SigstoreWorld, google: FakeGoogle) {
  const key = await google.makeKey(CI);
  const tokens = new GoogleIdTokens(SIGNER, {
    keyFiles: [],
    env: (n) => n === "GOOGLE_APPLICATION_CREDENTIALS" ? "/adc.json" : undefined,
    readFile: () => Promise.resolve(key),
    fetch: google.fetch,
    now: () => w.fake.clock.getTime(),
    log: new Logger("error", () => {}),
    sleep: () => Promise.resolve(),
    iamCredentialsUrl: FAKE_IAM_URL,
  });
  return tokenFromProvider(`Google service account ${SIGNER}`, (a) => tokens.token(a));
}

Deno.test("a signature made with a generateIdToken token verifies as the service account", async () => {
  await withWorld(async (w) => {
    const google = new FakeGoogle(() => w.fake.clock.getTime());
    google.allowIdTokens(CI, SIGNER);
    const signed = await w.signer({ token: await googleSource(w, google) }).signImage(DIGEST);
    deepEqual(signed.identity, { subject: SIGNER, issuer: GOOGLE_ISSUER });
    const verdict = await verifyImageBundle(signed.bundle, { digest: DIGEST }, {
      trust: w.trust,
      identities: [AS_SIGNER],
    });
    ok(verdict.ok, JSON.stringify(verdict));
    deepEqual(google.idTokenRequests.map((r) => r.body), [{
      audience: "sigstore",
      includeEmail: true,
    }]);
    const fulcio = w.fake.requests.filter((r) => r.service === "fulcio");
    equal(fulcio.length, 1);
    ok(fulcio[0]!.body.includes(google.idTokens[0]!), "Fulcio got the identity token");
  });
});

Deno.test("a caller without the OpenID token role fails the signature with the account and the role, no token", async () => {
  await withWorld(async (w) => {
    const google = new FakeGoogle(() => w.fake.clock.getTime());
    await rejects(
      w.signer({ token: await googleSource(w, google) }).signImage(DIGEST),
      (e) => {
        ok(e instanceof SigstoreError && e.cause instanceof TokenError, Deno.inspect(e));
        const line = describeError(e);
        ok(
          line.includes(
            `Cannot get an identity token from Google service account ${SIGNER}: the IAM ` +
              `credentials API refused ${CI}`,
          ),
          line,
        );
        ok(line.includes(`roles/iam.serviceAccountOpenIdTokenCreator`), line);
        const text = `${line}\n${Deno.inspect(e, { depth: 10 })}`;
        for (const secret of google.secrets) ok(!text.includes(secret), "no secret shown");
        return true;
      },
    );
    equal(w.fake.requests.length, 0, "no Sigstore service asked");
  });
});
