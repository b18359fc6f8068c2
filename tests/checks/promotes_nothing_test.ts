import assert from "node:assert/strict";
import { promotesNothing } from "../../src/checks/promotes_nothing.ts";
import { FakeBackend, imageManifest } from "./fake_backend.ts";
import { plainManifest } from "../fixtures/manifest_text.ts";
import { runCheck } from "./run_check.ts";

const SRC = "reg.example/stage";
const DSTS = ["reg.example/prod-a", "reg.example/prod-b"];
const one = imageManifest(1, [1]);
const two = imageManifest(2, [2]);
const manifestFor = (digests: Record<string, string[]>) =>
  plainManifest(SRC, DSTS, [{ name: "app", dmap: digests }]);
const base = manifestFor({ [one.digest]: ["1.0"] });

Deno.test("promotes-nothing warns about a change that adds no digest or tag", async () => {
  const r = await runCheck(promotesNothing, { base, head: base });
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]!.severity, "warning");
  assert.match(r.findings[0]!.message, /adds no digest or tag to promote/);
});

Deno.test("promotes-nothing warns when every added digest is already in every destination", async () => {
  const registries = {
    [SRC]: new FakeBackend(SRC).put("app", one).put("app", two),
    [DSTS[0]!]: new FakeBackend(DSTS[0]!).put("app", one, ["1.0"]).put("app", two, ["1.1"]),
    [DSTS[1]!]: new FakeBackend(DSTS[1]!).put("app", one, ["1.0"]).put("app", two, ["1.1"]),
  };
  const head = manifestFor({ [one.digest]: ["1.0"], [two.digest]: ["1.1"] });
  const r = await runCheck(promotesNothing, { base, head, registries });
  assert.equal(r.findings.length, 1);
  assert.match(r.findings[0]!.message, /\(1 digest\) is already in every destination/);
});

Deno.test("promotes-nothing is quiet when one destination still lacks an added digest", async () => {
  const registries = {
    [SRC]: new FakeBackend(SRC).put("app", one).put("app", two),
    [DSTS[0]!]: new FakeBackend(DSTS[0]!).put("app", one, ["1.0"]).put("app", two, ["1.1"]),
    [DSTS[1]!]: new FakeBackend(DSTS[1]!).put("app", one, ["1.0"]),
  };
  const head = manifestFor({ [one.digest]: ["1.0"], [two.digest]: ["1.1"] });
  const r = await runCheck(promotesNothing, { base, head, registries });
  assert.deepEqual(r.findings, []);
});

Deno.test("promotes-nothing is quiet about a new tag the destinations lack", async () => {
  const registries = {
    [DSTS[0]!]: new FakeBackend(DSTS[0]!).put("app", one, ["1.0"]),
    [DSTS[1]!]: new FakeBackend(DSTS[1]!).put("app", one, ["1.0"]),
  };
  const head = manifestFor({ [one.digest]: ["1.0", "stable"] });
  const r = await runCheck(promotesNothing, { base, head, registries });
  assert.deepEqual(r.findings, []);
});

Deno.test("promotes-nothing without registries still warns only about an empty change", async () => {
  const head = manifestFor({ [one.digest]: ["1.0"], [two.digest]: ["1.1"] });
  const r = await runCheck(promotesNothing, { base, head });
  assert.deepEqual(r.findings, []);
});
