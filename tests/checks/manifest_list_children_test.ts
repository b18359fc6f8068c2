import assert from "node:assert/strict";
import { manifestListChildren } from "../../src/checks/manifest_list_children.ts";
import { imageSize } from "../../src/checks/image_size.ts";
import { FakeBackend, imageManifest, indexManifest } from "./fake_backend.ts";
import { lineOf, plainManifest } from "../fixtures/manifest_text.ts";
import { runCheck } from "./run_check.ts";

const SRC = "reg.example/stage";
const manifestFor = (digests: Record<string, string[]>) =>
  plainManifest(SRC, ["reg.example/prod"], [{ name: "multi", dmap: digests }]);

Deno.test("manifest-list-children reports each child missing from the source", async () => {
  const amd = imageManifest(1, [1]);
  const arm = imageManifest(2, [2]);
  const ppc = imageManifest(3, [3]);
  const index = indexManifest([amd, arm, ppc]);
  const src = new FakeBackend(SRC).put("multi", index).put("multi", amd);
  const head = manifestFor({ [index.digest]: ["1.0"] });
  const r = await runCheck(manifestListChildren, { head, registries: { [SRC]: src } });
  assert.equal(r.findings.length, 2);
  for (const f of r.findings) {
    assert.equal(f.severity, "error");
    assert.equal(f.line, lineOf(head, index.digest));
    assert.match(f.message, /2 of 3 children missing/);
  }
  assert.match(r.findings[0]!.message, new RegExp(`child ${arm.digest} of the manifest list`));
  assert.match(r.findings[1]!.message, new RegExp(`child ${ppc.digest}`));
});

Deno.test("manifest-list-children accepts complete lists and plain images", async () => {
  const amd = imageManifest(1, [1]);
  const index = indexManifest([amd]);
  const single = imageManifest(5, [5]);
  const src = new FakeBackend(SRC).put("multi", index).put("multi", amd).put("multi", single);
  const r = await runCheck(manifestListChildren, {
    head: manifestFor({ [index.digest]: ["1.0"], [single.digest]: ["single"] }),
    registries: { [SRC]: src },
  });
  assert.deepEqual(r.findings, []);
});

Deno.test("manifest-list-children reports a source manifest it cannot read", async () => {
  const broken = { ...imageManifest(1, [1]), bytes: new TextEncoder().encode("{not json") };
  const src = new FakeBackend(SRC).put("multi", broken);
  const head = manifestFor({ [broken.digest]: ["1.0"] });
  const r = await runCheck(manifestListChildren, { head, registries: { [SRC]: src } });
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]!.severity, "error");
  assert.equal(r.findings[0]!.line, lineOf(head, broken.digest));
  assert.match(r.findings[0]!.message, /is not a manifest cip can read; it cannot be promoted/);
});

Deno.test("checks of one run read a manifest they both need once", async () => {
  const amd = imageManifest(1, [1]);
  const index = indexManifest([amd]);
  const src = new FakeBackend(SRC).put("multi", index).put("multi", amd);
  const r = await runCheck([manifestListChildren, imageSize], {
    head: manifestFor({ [index.digest]: ["1.0"] }),
    registries: { [SRC]: src },
  });
  assert.deepEqual(r.findings, []);
  const reads = src.reads.filter((x) => x === `getManifest multi ${index.digest}`);
  assert.equal(reads.length, 1, src.reads.join("\n"));
});

Deno.test("manifest-list-children answers from a listing image-size read that names every manifest", async () => {
  const amd = imageManifest(1, [1]);
  const arm = imageManifest(2, [2]);
  const index = indexManifest([amd, arm]);
  const src = new FakeBackend(SRC).put("multi", index).put("multi", amd).put("multi", arm);
  for (const m of [index, amd]) {
    src.list("multi", m.digest, { mediaType: m.mediaType, size: m.bytes.length, tags: [] });
  }
  const r = await runCheck([imageSize, manifestListChildren], {
    head: manifestFor({ [index.digest]: ["1.0"] }),
    registries: { [SRC]: src },
  });
  // The listing leaves arm out: the registry says it is not there, and no HEAD asks again.
  const missing = r.findings.filter((f) => f.message.includes("children missing"));
  assert.equal(missing.length, 1);
  assert.match(missing[0]!.message, new RegExp(`child ${arm.digest} `));
  assert.deepEqual(src.reads.filter((x) => x.startsWith("headManifest")), []);
  assert.equal(src.reads.filter((x) => x.startsWith("listTags")).length, 1);
});
