import assert from "node:assert/strict";
import { changedEdges, computeEdges, type Edge } from "../../src/manifest/mod.ts";
import { d, plainManifest } from "../fixtures/manifest_text.ts";
import { loadFixture } from "../fixtures/load_manifest_text.ts";

const SRC = "gcr.io/stage";
const DSTS = ["us.gcr.io/prod", "eu.gcr.io/prod"];

async function edgesOf(text: string): Promise<Edge[]> {
  return computeEdges(await loadFixture(text)).edges;
}

const show = (edges: Edge[]) =>
  edges.map((e) => `${e.dst.name}/${e.image}@${e.digest.slice(7, 8)}:${e.tag ?? "-"}`).sort();

Deno.test("changedEdges() keeps all edges of new digests and of digests whose tags changed", async () => {
  const base = await edgesOf(plainManifest(SRC, DSTS, [
    { name: "apple", dmap: { [d("a")]: ["1.0"], [d("b")]: ["2.0"] } },
  ]));
  const head = await edgesOf(plainManifest(SRC, DSTS, [
    { name: "apple", dmap: { [d("a")]: ["1.0"], [d("b")]: ["2.0", "stable"], [d("c")]: [] } },
  ]));
  assert.deepEqual(show(changedEdges(head, base)), [
    "eu.gcr.io/prod/apple@b:2.0",
    "eu.gcr.io/prod/apple@b:stable",
    "eu.gcr.io/prod/apple@c:-",
    "us.gcr.io/prod/apple@b:2.0",
    "us.gcr.io/prod/apple@b:stable",
    "us.gcr.io/prod/apple@c:-",
  ]);
});

Deno.test("changedEdges() keeps every edge to a newly added destination", async () => {
  const image = [{ name: "apple", dmap: { [d("a")]: ["1.0"] } }];
  const base = await edgesOf(plainManifest(SRC, ["us.gcr.io/prod"], image));
  const head = await edgesOf(plainManifest(SRC, DSTS, image));
  assert.deepEqual(show(changedEdges(head, base)), ["eu.gcr.io/prod/apple@a:1.0"]);
});

Deno.test("changedEdges() is empty for an unchanged or only shrinking change", async () => {
  const text = plainManifest(SRC, DSTS, [{ name: "apple", dmap: { [d("a")]: ["1.0", "x"] } }]);
  const smaller = plainManifest(SRC, DSTS, [{ name: "apple", dmap: { [d("a")]: ["1.0"] } }]);
  assert.deepEqual(changedEdges(await edgesOf(text), await edgesOf(text)), []);
  assert.deepEqual(changedEdges(await edgesOf(smaller), await edgesOf(text)), []);
});

Deno.test("changedEdges() keeps everything when the base had no manifests", async () => {
  const head = await edgesOf(plainManifest(SRC, DSTS, [{ name: "apple", dmap: { [d("a")]: [] } }]));
  assert.equal(changedEdges(head, []).length, 2);
});
