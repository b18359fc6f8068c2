import assert from "node:assert/strict";
import type { Manifest, ManifestPolicy } from "../../src/manifest/mod.ts";
import type { TrustPolicy } from "../../src/sigstore/mod.ts";
import { NO_POLICY, policyOf, stricterMode, trustSettingsProblems } from "../../src/trust/mod.ts";
import { loadTrustRoot } from "../../src/sigstore/mod.ts";
import { FakeSigstore } from "../fakes/sigstore.ts";

const RUN_ID = { subject: { exact: "run@example.com" }, issuer: { exact: "https://run" } };
const OWN_ID = { subject: { regexp: "own@.*" }, issuer: { exact: "https://own" } };

function manifest(file: string, policy?: Omit<ManifestPolicy, "pos">): Manifest {
  const m: Manifest = { file, imagesFile: file, registries: [], images: [] };
  if (policy) m.policy = { ...policy, pos: { file, line: 1, col: 1 } };
  return m;
}

Deno.test("stricterMode() orders off < warn < require", () => {
  assert.equal(stricterMode("off", "warn"), "warn");
  assert.equal(stricterMode("require", "warn"), "require");
  assert.equal(stricterMode("off", "off"), "off");
});

Deno.test("policyOf() takes the stricter mode, and the manifest's identities when it lists any", () => {
  const run: TrustPolicy = { mode: "warn", identities: [RUN_ID] };
  assert.deepEqual(policyOf(manifest("a"), run), run);
  assert.deepEqual(policyOf(manifest("b", { mode: "require", identities: [OWN_ID] }), run), {
    mode: "require",
    identities: [OWN_ID],
  });
  // A manifest cannot lower the run's mode; without identities of its own it uses the run's.
  assert.deepEqual(policyOf(manifest("c", { mode: "off", identities: [] }), run), run);
  assert.deepEqual(
    policyOf(manifest("d", { mode: "warn", identities: [OWN_ID] }), NO_POLICY),
    { mode: "warn", identities: [OWN_ID] },
  );
});

Deno.test("trustSettingsProblems() names a policy without identities and a missing trusted root", async () => {
  const require: TrustPolicy = { mode: "require", identities: [] };
  assert.deepEqual(trustSettingsProblems([manifest("a")], { run: NO_POLICY }), []);
  const problems = trustSettingsProblems([manifest("a"), manifest("b")], { run: require });
  assert.equal(problems.length, 3);
  assert.match(problems[0]!, /^the signature policy of a is require but names no identity/);
  assert.match(problems[2]!, /no trusted root is given: pass --trusted-root=FILE/);
  const fake = await FakeSigstore.start();
  await fake.close();
  const root = await loadTrustRoot(fake.trustedRoot, "fake");
  const own = manifest("c", { mode: "require", identities: [OWN_ID] });
  assert.deepEqual(trustSettingsProblems([own], { run: NO_POLICY, root }), []);
});
