import assert from "node:assert/strict";
import { EdgeIndex } from "../../src/manifest/edge_index.ts";
import { computeEdges } from "../../src/manifest/mod.ts";
import { loadFixture } from "../fixtures/load_manifest_text.ts";
import { d, plainManifest } from "../fixtures/manifest_text.ts";

Deno.test("EdgeIndex finds edges by destination, image, digest and tag, and is built once", async () => {
  const edges = computeEdges(
    await loadFixture(plainManifest("gcr.io/s", ["gcr.io/a", "gcr.io/b"], [
      { name: "app", dmap: { [d("1")]: ["x", "y"], [d("2")]: [] } },
    ])),
  ).edges;
  const index = EdgeIndex.of(edges);
  assert.equal(EdgeIndex.of(edges), index);
  const x = edges.find((e) => e.tag === "x" && e.dst.name === "gcr.io/b")!;
  assert.deepEqual(index.digestEdges(x)!.map((e) => e.tag), ["x", "y"]);
  assert.equal(index.has(x), true);
  assert.equal(index.has({ ...x, tag: "z" }), false);
  assert.equal(index.has({ ...x, image: "other" }), false);
  assert.equal(index.tagged({ ...x, digest: d("9") }), x);
  const tagless = edges.find((e) => e.tag === null)!;
  assert.equal(index.tagged(tagless), undefined);
  assert.equal([...index.digests()].length, 4);
});
