import { equal, ok } from "node:assert/strict";
import { loadTrustRoot, type Verdict, verifyImageBundle } from "../../src/sigstore/mod.ts";
import { ALLOWED, DIGEST, withWorld } from "./world.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

function edit(bundle: Uint8Array, change: (b: Json) => void): string {
  const json = JSON.parse(new TextDecoder().decode(bundle));
  change(json);
  return JSON.stringify(json);
}

function message(v: Verdict): string {
  if (v.ok) throw new Error("expected a refusal");
  equal(v.reason, "untrusted", v.message);
  return v.message;
}

Deno.test("signing with a timestamp authority adds an RFC 3161 timestamp that verifies", async () => {
  await withWorld(async (w) => {
    const signed = await w.signer({ tsaUrl: w.fake.url }).signImage(DIGEST);
    const json = JSON.parse(new TextDecoder().decode(signed.bundle));
    equal(json.verificationMaterial.timestampVerificationData.rfc3161Timestamps.length, 1);
    const options = { trust: w.trust, identities: [ALLOWED] };
    ok((await verifyImageBundle(signed.bundle, { digest: DIGEST }, options)).ok);
    // The timestamp alone is enough when the log entry carries no signed entry timestamp.
    const noPromise = edit(
      signed.bundle,
      (b) => delete b.verificationMaterial.tlogEntries[0].inclusionPromise,
    );
    ok((await verifyImageBundle(noPromise, { digest: DIGEST }, options)).ok);
  });
});

Deno.test("a timestamp from an authority the root does not name does not count", async () => {
  await withWorld(async (w) => {
    const signed = await w.signer({ tsaUrl: w.fake.url }).signImage(DIGEST);
    const root = { ...w.fake.trustedRoot, timestampAuthorities: [] };
    const trust = await loadTrustRoot(root, "a root without timestamp authorities");
    const v = await verifyImageBundle(signed.bundle, { digest: DIGEST }, {
      trust,
      identities: [ALLOWED],
    });
    ok(message(v).includes("TIMESTAMP_ERROR"), message(v));
  });
});

Deno.test("verifyImageBundle() refuses a bundle with no verified time (no signed entry timestamp, no RFC 3161)", async () => {
  await withWorld(async (w) => {
    const signed = await w.signer().signImage(DIGEST);
    const bare = edit(
      signed.bundle,
      (b) => delete b.verificationMaterial.tlogEntries[0].inclusionPromise,
    );
    const v = await verifyImageBundle(bare, { digest: DIGEST }, {
      trust: w.trust,
      identities: [ALLOWED],
    });
    ok(message(v).includes("expected 1 timestamps, got 0"), message(v));
  });
});

Deno.test("verifyImageBundle() refuses a bundle with no transparency log entry, even timestamped", async () => {
  await withWorld(async (w) => {
    const signed = await w.signer({ tsaUrl: w.fake.url }).signImage(DIGEST);
    const unlogged = edit(signed.bundle, (b) => b.verificationMaterial.tlogEntries = []);
    const v = await verifyImageBundle(unlogged, { digest: DIGEST }, {
      trust: w.trust,
      identities: [ALLOWED],
    });
    ok(message(v).includes("tlog"), message(v));
  });
});

Deno.test("verifyImageBundle() refuses a signature logged after its certificate expired", async () => {
  await withWorld(async (w) => {
    // The mock's certificates last ten minutes: log the signature eleven minutes later.
    w.fake.before = (service) => {
      if (service === "rekor") w.fake.advance(11 * 60_000);
    };
    const signed = await w.signer().signImage(DIGEST);
    const v = await verifyImageBundle(signed.bundle, { digest: DIGEST }, {
      trust: w.trust,
      identities: [ALLOWED],
    });
    ok(message(v).includes("expired"), message(v));
  });
});

Deno.test("verifyImageBundle() refuses a signature made after the root stopped trusting its CA", async () => {
  await withWorld(async (w) => {
    const signed = await w.signer().signImage(DIGEST);
    const root = structuredClone(w.fake.trustedRoot) as Json;
    root.certificateAuthorities[0].validFor.end = new Date(w.fake.clock.getTime() - 60_000)
      .toISOString();
    const trust = await loadTrustRoot(root, "a root whose CA was retired");
    const v = await verifyImageBundle(signed.bundle, { digest: DIGEST }, {
      trust,
      identities: [ALLOWED],
    });
    ok(message(v).includes("certificate"), message(v));
  });
});
