import { deepEqual, equal, ok } from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  COSIGN_SIGN_PREDICATE,
  IN_TOTO_MEDIA_TYPE,
  loadTrustRoot,
  SIGSTORE_BUNDLE_V03,
  type Verdict,
  verifyImageBundle,
} from "../../src/sigstore/mod.ts";
import { FAKE_ISSUER, FAKE_SUBJECT, FakeSigstore } from "../fakes/sigstore.ts";
import { ALLOWED, DIGEST, OTHER_DIGEST, withWorld } from "./world.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

function parse(bytes: Uint8Array): Json {
  return JSON.parse(new TextDecoder().decode(bytes));
}

function refusal(v: Verdict): { reason: string; message: string } {
  if (v.ok) throw new Error(`expected a refusal, got ${JSON.stringify(v)}`);
  return { reason: v.reason, message: v.message };
}

Deno.test("signImage() makes a v0.3 DSSE bundle of cosign's image statement that verifies", async () => {
  await withWorld(async (w) => {
    const signed = await w.signer().signImage(DIGEST);
    deepEqual(signed.identity, { subject: FAKE_SUBJECT, issuer: FAKE_ISSUER });
    const bundle = parse(signed.bundle);
    equal(bundle.mediaType, SIGSTORE_BUNDLE_V03);
    equal(bundle.dsseEnvelope.payloadType, IN_TOTO_MEDIA_TYPE);
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, "base64").toString());
    equal(statement.predicateType, COSIGN_SIGN_PREDICATE);
    deepEqual(statement.subject, [{ digest: { sha256: DIGEST.slice(7) } }]);
    equal(bundle.verificationMaterial.tlogEntries.length, 1);
    equal(bundle.verificationMaterial.tlogEntries[0].kindVersion.kind, "dsse");
    const verdict = await verifyImageBundle(signed.bundle, { digest: DIGEST }, {
      trust: w.trust,
      identities: [ALLOWED],
    });
    ok(verdict.ok, JSON.stringify(verdict));
    deepEqual(verdict.identity, { subject: FAKE_SUBJECT, issuer: FAKE_ISSUER });
    deepEqual(verdict.allowedBy, ALLOWED);
  });
});

Deno.test("verifyImageBundle() refuses a signature of another image", async () => {
  await withWorld(async (w) => {
    const signed = await w.signer().signImage(DIGEST);
    const v = await verifyImageBundle(signed.bundle, { digest: OTHER_DIGEST }, {
      trust: w.trust,
      identities: [ALLOWED],
    });
    deepEqual(refusal(v), {
      reason: "not-this-image",
      message: `its statement does not name ${OTHER_DIGEST}`,
    });
  });
});

Deno.test("verifyImageBundle() refuses a signer the policy does not name, and names the signer", async () => {
  await withWorld(async (w) => {
    const signed = await w.signer().signImage(DIGEST);
    const wrongSubject = {
      subject: { exact: "https://github.com/evil/repo" },
      issuer: ALLOWED.issuer,
    };
    const v = await verifyImageBundle(signed.bundle, { digest: DIGEST }, {
      trust: w.trust,
      identities: [wrongSubject],
    });
    equal(refusal(v).reason, "identity");
    ok(refusal(v).message.includes(FAKE_SUBJECT), refusal(v).message);
    deepEqual(!v.ok && v.identity, { subject: FAKE_SUBJECT, issuer: FAKE_ISSUER });
  });
});

Deno.test("verifyImageBundle() refuses the right subject vouched for by another issuer", async () => {
  await withWorld(async (w) => {
    const signed = await w.signer().signImage(DIGEST);
    const otherIssuer = {
      subject: ALLOWED.subject,
      issuer: { exact: "https://accounts.google.com" },
    };
    const v = await verifyImageBundle(signed.bundle, { digest: DIGEST }, {
      trust: w.trust,
      identities: [otherIssuer],
    });
    equal(refusal(v).reason, "identity");
  });
});

Deno.test("verifyImageBundle() accepts a signer matched by whole-text regular expressions", async () => {
  await withWorld(async (w) => {
    const signed = await w.signer().signImage(DIGEST);
    const check = (subject: string) =>
      verifyImageBundle(signed.bundle, { digest: DIGEST }, {
        trust: w.trust,
        identities: [{
          subject: { regexp: subject },
          issuer: { regexp: "https://token\\.actions\\..*" },
        }],
      });
    ok((await check("https://github\\.com/kubernetes/.*@refs/heads/main")).ok);
    // Unanchored, "kubernetes" would match; whole-text matching refuses it.
    equal((await check("kubernetes")).ok, false);
  });
});

Deno.test("verifyImageBundle() refuses a bundle whose signed statement was changed", async () => {
  await withWorld(async (w) => {
    const signed = await w.signer().signImage(DIGEST);
    const bundle = parse(signed.bundle);
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, "base64").toString());
    statement.subject[0].digest.sha256 = OTHER_DIGEST.slice(7);
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString("base64");
    const v = await verifyImageBundle(JSON.stringify(bundle), { digest: OTHER_DIGEST }, {
      trust: w.trust,
      identities: [ALLOWED],
    });
    equal(refusal(v).reason, "untrusted");
  });
});

Deno.test("verifyImageBundle() refuses a signature from services another root trusts", async () => {
  await withWorld(async (w) => {
    const signed = await w.signer().signImage(DIGEST);
    const stranger = await FakeSigstore.start();
    try {
      const trust = await loadTrustRoot(stranger.trustedRoot, "another root");
      const v = await verifyImageBundle(signed.bundle, { digest: DIGEST }, {
        trust,
        identities: [ALLOWED],
      });
      equal(refusal(v).reason, "untrusted");
      ok(refusal(v).message.includes("another root"), refusal(v).message);
    } finally {
      await stranger.close();
    }
  });
});

Deno.test("verifyImageBundle() refuses what is not a Sigstore bundle as malformed", async () => {
  await withWorld(async (w) => {
    const options = { trust: w.trust, identities: [ALLOWED] };
    equal(
      refusal(await verifyImageBundle("not json", { digest: DIGEST }, options)).reason,
      "malformed",
    );
    const v = await verifyImageBundle(
      JSON.stringify({ mediaType: "x" }),
      { digest: DIGEST },
      options,
    );
    equal(refusal(v).reason, "malformed");
  });
});

Deno.test("one KeylessSigner asks Fulcio once for several images, again when the certificate nears expiry", async () => {
  await withWorld(async (w) => {
    const signer = w.signer();
    await signer.signImage(DIGEST);
    await signer.signImage(OTHER_DIGEST);
    const fulcioCalls = () => w.fake.requests.filter((r) => r.service === "fulcio").length;
    equal(fulcioCalls(), 1);
    w.fake.advance(9.5 * 60_000); // the mock's certificates last ten minutes
    const late = await signer.signImage(DIGEST);
    equal(fulcioCalls(), 2);
    ok(
      (await verifyImageBundle(late.bundle, { digest: DIGEST }, {
        trust: w.trust,
        identities: [ALLOWED],
      })).ok,
    );
  });
});
