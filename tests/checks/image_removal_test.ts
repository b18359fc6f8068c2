import assert from "node:assert/strict";
import { imageRemoval } from "../../src/checks/image_removal.ts";
import { d, lineOf, plainManifest } from "../fixtures/manifest_text.ts";
import { runCheck } from "./run_check.ts";

const SRC = "gcr.io/stage";
const DSTS = ["us.gcr.io/prod", "eu.gcr.io/prod"];
const base = plainManifest(SRC, DSTS, [
  { name: "apple", dmap: { [d("a")]: ["1.0", "latest"], [d("b")]: [] } },
  { name: "banana", dmap: { [d("c")]: ["2.0"] } },
]);

Deno.test("image-removal finds nothing when the head keeps everything and adds more", async () => {
  const head = plainManifest(SRC, DSTS, [
    { name: "apple", dmap: { [d("a")]: ["1.0", "latest"], [d("b")]: [], [d("e")]: ["1.1"] } },
    { name: "banana", dmap: { [d("c")]: ["2.0"] } },
  ]);
  const r = await runCheck(imageRemoval, { base, head });
  assert.deepEqual(r.findings, []);
});

Deno.test("image-removal reports a removed digest once, at the image's line", async () => {
  const head = plainManifest(SRC, DSTS, [
    { name: "apple", dmap: { [d("a")]: ["1.0", "latest"] } },
    { name: "banana", dmap: { [d("c")]: ["2.0"] } },
  ]);
  const r = await runCheck(imageRemoval, { base, head });
  assert.equal(r.findings.length, 1);
  const f = r.findings[0]!;
  assert.equal(f.severity, "error");
  assert.equal(f.check, "image-removal");
  assert.match(
    f.message,
    new RegExp(`apple@${d("b")} was promoted to eu.gcr.io/prod and us.gcr.io/prod`),
  );
  assert.equal(f.file, r.file());
  assert.equal(f.line, lineOf(head, "name: apple"));
});

Deno.test("image-removal reports a removed tag at its digest's line", async () => {
  const head = plainManifest(SRC, DSTS, [
    { name: "apple", dmap: { [d("a")]: ["1.0"], [d("b")]: [] } },
    { name: "banana", dmap: { [d("c")]: ["2.0"] } },
  ]);
  const r = await runCheck(imageRemoval, { base, head });
  assert.equal(r.findings.length, 1);
  assert.match(r.findings[0]!.message, new RegExp(`tag apple:latest \\(${d("a")}\\)`));
  assert.equal(r.findings[0]!.line, lineOf(head, d("a")));
});

Deno.test("image-removal reports a removed image with its tags, at the file", async () => {
  const head = plainManifest(SRC, DSTS, [
    { name: "apple", dmap: { [d("a")]: ["1.0", "latest"], [d("b")]: [] } },
  ]);
  const r = await runCheck(imageRemoval, { base, head });
  assert.equal(r.findings.length, 1);
  assert.match(r.findings[0]!.message, new RegExp(`banana@${d("c")} \\(tags 2.0\\)`));
  assert.equal(r.findings[0]!.file, r.file());
  assert.equal(r.findings[0]!.line, undefined);
});

Deno.test("image-removal reports a destination registry dropped from a manifest", async () => {
  const head = plainManifest(SRC, ["us.gcr.io/prod"], [
    { name: "apple", dmap: { [d("a")]: ["1.0", "latest"], [d("b")]: [] } },
    { name: "banana", dmap: { [d("c")]: ["2.0"] } },
  ]);
  const r = await runCheck(imageRemoval, { base, head });
  assert.equal(r.findings.length, 3);
  for (const f of r.findings) assert.match(f.message, /promoted to eu\.gcr\.io\/prod at base/);
});

Deno.test("image-removal leaves a moved tag to tag-move", async () => {
  const head = plainManifest(SRC, DSTS, [
    { name: "apple", dmap: { [d("a")]: ["1.0"], [d("b")]: ["latest"] } },
    { name: "banana", dmap: { [d("c")]: ["2.0"] } },
  ]);
  const r = await runCheck(imageRemoval, { base, head });
  assert.deepEqual(r.findings, []);
});

Deno.test("image-removal is skipped when no git base is known", async () => {
  const r = await runCheck(imageRemoval, { head: base });
  assert.equal(r.skipped, true);
  assert.deepEqual(r.findings, []);
});

Deno.test("image-removal compares thin directories file by file", async () => {
  const thin = (images: string) => ({
    "manifests/a/promoter-manifest.yaml": `registries:\n- name: ${SRC}\n  src: true\n- name: ${
      DSTS[0]
    }\n`,
    "images/a/images.yaml": images,
  });
  const r = await runCheck(imageRemoval, {
    base: thin(`- name: apple\n  dmap:\n    "${d("a")}": ["1.0"]\n    "${d("b")}": []\n`),
    head: thin(`- name: apple\n  dmap:\n    "${d("a")}": ["1.0"]\n`),
  });
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]!.file, r.file("images/a/images.yaml"));
  assert.equal(r.findings[0]!.line, 1);
});
