import { deepEqual, rejects } from "node:assert/strict";
import { loadTrustRoot, SigstoreError } from "../../src/sigstore/mod.ts";
import { FakeSigstore } from "../fakes/sigstore.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

Deno.test("loadTrustRoot() reads a trusted root from its JSON text and counts its authorities", async () => {
  const fake = await FakeSigstore.start();
  try {
    const root = await loadTrustRoot(JSON.stringify(fake.trustedRoot), "trusted_root.json");
    deepEqual(root.counts, {
      certificateAuthorities: 1,
      tlogs: 1,
      ctlogs: 1,
      timestampAuthorities: 1,
    });
  } finally {
    await fake.close();
  }
});

const BROKEN: [string, (root: Json) => unknown, string][] = [
  ["not JSON", () => "{", "it is not JSON"],
  ["not an object", () => [], "it is not a JSON object"],
  [
    "another media type",
    (r) => ({ ...r, mediaType: "application/json" }),
    'its mediaType "application/json" is not a trusted root\'s',
  ],
  ["no transparency log", (r) => ({ ...r, tlogs: [] }), "it names no tlogs"],
  [
    "no certificate authority",
    (r) => ({ ...r, certificateAuthorities: undefined }),
    "it names no certificateAuthorities",
  ],
  ["no CT log", (r) => ({ ...r, ctlogs: [] }), "it names no ctlogs"],
  ["a list that is not one", (r) => ({ ...r, tlogs: {} }), "'tlogs' is not a list"],
  [
    "an unreadable certificate",
    (r) => ({
      ...r,
      certificateAuthorities: [{
        ...r.certificateAuthorities[0],
        certChain: { certificates: [{ rawBytes: "AAAA" }] },
      }],
    }),
    "a key or certificate in it cannot be read",
  ],
];

for (const [name, change, reason] of BROKEN) {
  Deno.test(`loadTrustRoot() refuses a trusted root: ${name}`, async () => {
    const fake = await FakeSigstore.start();
    try {
      const value = change(structuredClone(fake.trustedRoot));
      await rejects(loadTrustRoot(value, "root.json"), (e) => {
        if (!(e instanceof SigstoreError)) throw e;
        if (!e.message.startsWith(`Cannot use the trusted root root.json: ${reason}`)) throw e;
        return true;
      });
    } finally {
      await fake.close();
    }
  });
}
