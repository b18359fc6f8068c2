import assert from "node:assert/strict";
import { ALL_CHECKS, selectChecks } from "../../src/checks/mod.ts";
import { unsignedImage } from "../../src/checks/unsigned_image.ts";
import { cosignArtifact, cosignSignatures, sbomLayer } from "../fixtures/attachments.ts";
import { FakeBackend, imageManifest } from "./fake_backend.ts";
import { lineOf, plainManifest } from "../fixtures/manifest_text.ts";
import { runCheck } from "./run_check.ts";

const SRC = "reg.example/stage";
const manifestFor = (digests: Record<string, string[]>) =>
  plainManifest(SRC, ["reg.example/prod"], [{ name: "app", dmap: digests }]);

Deno.test("unsigned-image warns, at its line, about an image with no signature in the source", async () => {
  const signed = imageManifest(10, [100]);
  const bare = imageManifest(20, [200]);
  const sig = cosignSignatures(signed.digest, [1]);
  const sbom = cosignArtifact(bare.digest, "sbom", [sbomLayer("spdx")]);
  const src = new FakeBackend(SRC)
    .put("app", signed)
    .put("app", bare)
    .put("app", sig.manifest, [sig.tag!])
    .put("app", sbom.manifest, [sbom.tag!]);
  const head = manifestFor({ [signed.digest]: ["1.0"], [bare.digest]: ["2.0"] });
  const r = await runCheck(unsignedImage, { head, registries: { [SRC]: src } });
  assert.equal(r.findings.length, 1);
  const f = r.findings[0]!;
  assert.equal(f.severity, "warning");
  assert.match(f.message, new RegExp(`${SRC}/app@${bare.digest} has no signature in the source`));
  assert.equal(f.line, lineOf(head, bare.digest));
});

Deno.test("unsigned-image is off unless --checks names it", () => {
  const names = (only?: string[]) =>
    selectChecks(ALL_CHECKS, only).checks.map((c) => c.name).includes("unsigned-image");
  assert.equal(names(), false);
  assert.equal(names(["unsigned-image"]), true);
});
