import assert from "node:assert/strict";
import { RegistryError } from "../../../src/registry/errors.ts";
import {
  addEntry,
  checkOciLayout,
  emptyIndex,
  parseIndex,
  REF_NAME,
  serialiseIndex,
} from "../../../src/registry/ocidir/index_file.ts";

const M = "application/vnd.oci.image.manifest.v1+json";
const d = (c: string) => "sha256:" + c.repeat(64);

Deno.test("parseIndex() reads tags from ref.name and treats other names as untagged", () => {
  const text = JSON.stringify({
    schemaVersion: 2,
    manifests: [
      { mediaType: M, digest: d("1"), size: 3, annotations: { [REF_NAME]: "1.0" } },
      { mediaType: M, digest: d("2"), size: 4 },
      { mediaType: M, digest: d("3"), size: 5, annotations: { [REF_NAME]: "reg.io/x:1.0" } },
    ],
  });
  const index = parseIndex(text, "index.json");
  assert.deepEqual(index.entries.map((e) => [e.digest, e.tag, e.size]), [
    [d("1"), "1.0", 3],
    [d("2"), null, 4],
    [d("3"), null, 5],
  ]);
});

Deno.test("serialiseIndex() keeps fields it does not know, at the top and in entries", () => {
  const raw = {
    schemaVersion: 2,
    annotations: { keep: "me" },
    manifests: [{ mediaType: M, digest: d("1"), size: 3, platform: { os: "linux" } }],
  };
  const index = parseIndex(JSON.stringify(raw), "index.json");
  const next = addEntry(index, { mediaType: M, digest: d("2"), size: 9, tag: "t" }, "x");
  assert.ok(next !== null);
  const out = JSON.parse(serialiseIndex(next));
  assert.deepEqual(out.annotations, { keep: "me" });
  assert.deepEqual(out.manifests[0], raw.manifests[0]);
  assert.deepEqual(out.manifests[1], {
    mediaType: M,
    digest: d("2"),
    size: 9,
    annotations: { [REF_NAME]: "t" },
  });
});

Deno.test("addEntry() refuses a tag move and answers null for what is recorded already", () => {
  const one = addEntry(emptyIndex(), { mediaType: M, digest: d("1"), size: 1, tag: "t" }, "x")!;
  assert.equal(addEntry(one, { mediaType: M, digest: d("1"), size: 1, tag: "t" }, "x"), null);
  assert.equal(addEntry(one, { mediaType: M, digest: d("1"), size: 1, tag: null }, "x"), null);
  assert.throws(
    () => addEntry(one, { mediaType: M, digest: d("2"), size: 1, tag: "t" }, "where"),
    (e) => e instanceof RegistryError && /in where: the tag already points at/.test(e.message),
  );
});

Deno.test("addEntry() turns an untagged entry into a tagged one, and adds further tags", () => {
  const untagged = addEntry(
    emptyIndex(),
    { mediaType: M, digest: d("1"), size: 1, tag: null },
    "x",
  )!;
  const tagged = addEntry(untagged, { mediaType: M, digest: d("1"), size: 1, tag: "a" }, "x")!;
  assert.deepEqual(tagged.entries.map((e) => e.tag), ["a"]);
  const two = addEntry(tagged, { mediaType: M, digest: d("1"), size: 1, tag: "b" }, "x")!;
  assert.deepEqual(two.entries.map((e) => e.tag), ["a", "b"]);
});

Deno.test("checkOciLayout() accepts 1.x versions and refuses others", () => {
  checkOciLayout('{"imageLayoutVersion":"1.0.0"}', "p");
  checkOciLayout('{"imageLayoutVersion":"1.1.0"}', "p");
  for (const bad of ['{"imageLayoutVersion":"2.0.0"}', '{"imageLayoutVersion":1}', "[]", "x"]) {
    assert.throws(
      () => checkOciLayout(bad, "the/path"),
      (e) => e instanceof RegistryError && e.message.includes("the/path"),
    );
  }
});

Deno.test("addEntry() moves a tag only from the digest it is replacing (an accumulator's merge)", () => {
  const one = addEntry(emptyIndex(), { mediaType: M, digest: d("1"), size: 1, tag: "t" }, "x")!;
  const moved = addEntry(one, {
    mediaType: M,
    digest: d("2"),
    size: 2,
    tag: "t",
    replacing: d("1"),
  }, "x")!;
  assert.deepEqual(moved.entries.map((e) => [e.digest, e.tag]), [[d("2"), "t"]]);
  assert.throws(
    () =>
      addEntry(moved, { mediaType: M, digest: d("3"), size: 3, tag: "t", replacing: d("1") }, "x"),
    RegistryError,
  );
});
