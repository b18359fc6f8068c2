import { deepEqual, equal, ok } from "node:assert/strict";
import { loadTrustRoot, verifyImageBundle } from "../../src/sigstore/mod.ts";

const DIR = new URL("../../testdata/sigstore/cli/", import.meta.url);

async function fixture() {
  const facts = JSON.parse(await Deno.readTextFile(new URL("fixture.json", DIR)));
  const trust = await loadTrustRoot(
    await Deno.readTextFile(new URL("trusted_root.json", DIR)),
    "testdata/sigstore/cli/trusted_root.json",
  );
  const bundle = await Deno.readFile(new URL("bundle.json", DIR));
  const allowed = { subject: { exact: facts.subject }, issuer: { exact: facts.issuer } };
  return { facts, trust, bundle, allowed };
}

Deno.test("a bundle written by @sigstore/cli (intoto Rekor entry, RFC 3161 timestamp) verifies", async () => {
  const { facts, trust, bundle, allowed } = await fixture();
  const v = await verifyImageBundle(bundle, { digest: facts.digest }, {
    trust,
    identities: [allowed],
  });
  ok(v.ok, JSON.stringify(v));
  deepEqual(v.identity, { subject: facts.subject, issuer: facts.issuer });
});

Deno.test("the @sigstore/cli bundle is refused for another image and for another signer", async () => {
  const { trust, bundle, allowed } = await fixture();
  const other = await verifyImageBundle(bundle, { digest: `sha256:${"0".repeat(64)}` }, {
    trust,
    identities: [allowed],
  });
  equal(!other.ok && other.reason, "not-this-image");
  const stranger = { subject: { exact: "someone-else@example.com" }, issuer: allowed.issuer };
  const v = await verifyImageBundle(bundle, { digest: (await fixture()).facts.digest }, {
    trust,
    identities: [stranger],
  });
  equal(!v.ok && v.reason, "identity");
});
