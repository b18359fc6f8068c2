import assert from "node:assert/strict";
import { imageSize } from "../../src/checks/image_size.ts";
import { FakeBackend, imageManifest, indexManifest } from "./fake_backend.ts";
import { d, lineOf, plainManifest } from "../fixtures/manifest_text.ts";
import { runCheck } from "./run_check.ts";

const MIB = 1024 * 1024;
const SRC = "reg.example/stage";
const manifestFor = (digests: Record<string, string[]>) =>
  plainManifest(SRC, ["reg.example/prod"], [{ name: "app", dmap: digests }]);

Deno.test("image-size accepts an image at the limit and refuses one above it, at its line", async () => {
  const small = imageManifest(1000, [2 * MIB - 1000]);
  const big = imageManifest(1000, [2 * MIB, 1]);
  const src = new FakeBackend(SRC).put("app", small).put("app", big);
  const head = manifestFor({ [small.digest]: ["small"], [big.digest]: ["big"] });
  const r = await runCheck(imageSize, { head, registries: { [SRC]: src }, maxImageSizeMiB: 2 });
  assert.equal(r.findings.length, 1);
  const f = r.findings[0]!;
  assert.equal(f.severity, "error");
  assert.match(
    f.message,
    new RegExp(
      `${SRC}/app@${big.digest} is 2\\.0 MiB, more than the 2 MiB --max-image-size allows`,
    ),
  );
  assert.equal(f.line, lineOf(head, big.digest));
});

Deno.test("image-size takes an index's largest child", async () => {
  const a = imageManifest(10, [1 * MIB]);
  const b = imageManifest(10, [3 * MIB]);
  const index = indexManifest([a, b]);
  const src = new FakeBackend(SRC).put("app", a).put("app", b).put("app", index);
  const head = manifestFor({ [index.digest]: ["1.0"] });
  const r = await runCheck(imageSize, { head, registries: { [SRC]: src }, maxImageSizeMiB: 2 });
  assert.equal(r.findings.length, 1);
  assert.match(r.findings[0]!.message, new RegExp(`its largest child ${b.digest}`));
});

Deno.test("image-size prefers the size the GCR extension lists", async () => {
  const m = imageManifest(10, [10]);
  const src = new FakeBackend(SRC).put("app", m).list("app", m.digest, {
    size: 5 * MIB,
    tags: ["1.0"],
    mediaType: m.mediaType,
  });
  const r = await runCheck(imageSize, {
    head: manifestFor({ [m.digest]: ["1.0"] }),
    registries: { [SRC]: src },
    maxImageSizeMiB: 4,
  });
  assert.equal(r.findings.length, 1);
  assert.match(r.findings[0]!.message, /is 5 MiB, more than the 4 MiB/);
  assert.ok(!src.reads.some((x) => x.startsWith("getManifest")), "no manifest read needed");
});

Deno.test("image-size warns about a size of 0, an unknown size and a missing image", async () => {
  const empty = imageManifest(0, []);
  const schema1 = { ...imageManifest(1, [1]) };
  const odd = {
    ...schema1,
    bytes: new TextEncoder().encode('{"schemaVersion":1,"fsLayers":[]}'),
    mediaType: "application/vnd.docker.distribution.manifest.v1+prettyjws",
    digest: d("9"),
  };
  const src = new FakeBackend(SRC).put("app", empty).put("app", odd);
  const r = await runCheck(imageSize, {
    head: manifestFor({ [empty.digest]: ["e"], [odd.digest]: ["o"], [d("7")]: ["gone"] }),
    registries: { [SRC]: src },
  });
  assert.deepEqual(r.findings.map((f) => f.severity), ["warning", "warning", "warning"]);
  assert.match(r.findings[0]!.message, /size of .* is 0/);
  assert.match(r.findings[1]!.message, /size of .* is unknown/);
  assert.match(r.findings[2]!.message, /source registry does not have it/);
});

Deno.test("image-size looks only at digests the change adds when a base is known", async () => {
  const old = imageManifest(10, [9 * MIB]);
  const fresh = imageManifest(10, [10]);
  const src = new FakeBackend(SRC).put("app", old).put("app", fresh);
  const r = await runCheck(imageSize, {
    base: manifestFor({ [old.digest]: ["1.0"] }),
    head: manifestFor({ [old.digest]: ["1.0"], [fresh.digest]: ["1.1"] }),
    registries: { [SRC]: src },
    maxImageSizeMiB: 1,
  });
  assert.deepEqual(r.findings, []);
  assert.ok(!src.reads.some((x) => x.includes(old.digest)), "the old digest is not read");
});

Deno.test("image-size is skipped when registries cannot be read", async () => {
  const r = await runCheck(imageSize, { head: manifestFor({ [d("a")]: [] }) });
  assert.equal(r.skipped, true);
});

Deno.test("image-size writes sizes in bytes, KiB and MiB with at most one decimal", async () => {
  const src = new FakeBackend(SRC);
  const sizes = [512, 1536, 2.25 * MIB];
  const images = sizes.map((size, i) => {
    const m = imageManifest(10 + i, [10]);
    src.put("app", m).list("app", m.digest, { size, tags: [`t${i}`], mediaType: m.mediaType });
    return m;
  });
  const r = await runCheck(imageSize, {
    head: manifestFor(Object.fromEntries(images.map((m, i) => [m.digest, [`t${i}`]]))),
    registries: { [SRC]: src },
    maxImageSizeMiB: 256 / MIB,
  });
  assert.deepEqual(
    r.findings.map((f) => /is (.*), more than the (.*) --max/.exec(f.message)?.slice(1)),
    [["512 bytes", "256 bytes"], ["1.5 KiB", "256 bytes"], ["2.3 MiB", "256 bytes"]],
  );
});
