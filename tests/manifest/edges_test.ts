import assert from "node:assert/strict";
import { computeEdges, edgeTarget, type Manifest, overlapErrors } from "../../src/manifest/mod.ts";
import { digest, imagesYaml, parseText, plainYaml, registriesYaml } from "./fixtures.ts";

/** A manifest from text, named `file`. */
function manifest(file: string, registries: string, images: string): Manifest {
  return parseText(plainYaml(registries, images), file);
}

Deno.test("computeEdges() makes one edge per destination, digest and tag, and one per tagless digest", () => {
  const m = manifest(
    "m.yaml",
    registriesYaml("gcr.io/prod", "us-docker.pkg.dev/p/images"),
    imagesYaml("apple", { [digest("a")]: ["1.0", "latest"], [digest("b")]: [] }),
  );
  const set = computeEdges([m]);
  assert.deepEqual(set.edges.map(edgeTarget), [
    "gcr.io/prod/apple:1.0",
    "gcr.io/prod/apple:latest",
    `gcr.io/prod/apple@${digest("b")}`,
    "us-docker.pkg.dev/p/images/apple:1.0",
    "us-docker.pkg.dev/p/images/apple:latest",
    `us-docker.pkg.dev/p/images/apple@${digest("b")}`,
  ]);
  const e = set.edges[0]!;
  assert.equal(e.src.name, "gcr.io/staging");
  assert.equal(e.dst.name, "gcr.io/prod");
  assert.equal(e.image, "apple");
  assert.equal(e.digest, digest("a"));
  assert.equal(e.manifest, m);
  assert.deepEqual(e.pos, { file: "m.yaml", line: 9, col: 81 });
  assert.deepEqual(set.edges[2]!.pos, { file: "m.yaml", line: 10, col: 5 });
  assert.equal(set.edges[2]!.tag, null);
  assert.equal(set.redundantEdges.length, 0);
  assert.deepEqual(set.overlaps, []);
});

Deno.test("computeEdges() never makes edges into the source registry", () => {
  const m = manifest(
    "m.yaml",
    registriesYaml("gcr.io/prod"),
    imagesYaml("apple", { [digest("a")]: ["1"] }),
  );
  assert.ok(computeEdges([m]).edges.every((e) => e.dst.name !== "gcr.io/staging"));
});

Deno.test("computeEdges() keeps one of two edges that put the same digest at one tag and counts the other", () => {
  const a = manifest(
    "a.yaml",
    registriesYaml(),
    imagesYaml("apple", { [digest("a")]: ["1.0", "latest"] }),
  );
  const b = manifest("b.yaml", registriesYaml(), imagesYaml("apple", { [digest("a")]: ["1.0"] }));
  const set = computeEdges([a, b]);
  assert.deepEqual(set.edges.map(edgeTarget), [
    "gcr.io/prod/apple:1.0",
    "gcr.io/prod/apple:latest",
  ]);
  assert.equal(set.redundantEdges.length, 1);
  assert.equal(set.redundantEdges[0]!.kept.manifest, a);
  assert.equal(set.redundantEdges[0]!.dropped.manifest, b);
  assert.deepEqual(set.overlaps, []);
});

Deno.test("computeEdges() treats a repeated tagless digest as redundant", () => {
  const a = manifest("a.yaml", registriesYaml(), imagesYaml("apple", { [digest("a")]: [] }));
  const b = manifest("b.yaml", registriesYaml(), imagesYaml("apple", { [digest("a")]: [] }));
  const set = computeEdges([a, b]);
  assert.equal(set.edges.length, 1);
  assert.equal(set.redundantEdges.length, 1);
});

Deno.test("computeEdges() reports one tag wanted with two digests by two manifests as an overlap", () => {
  const a = manifest("a.yaml", registriesYaml(), imagesYaml("apple", { [digest("a")]: ["1.0"] }));
  const b = manifest("b.yaml", registriesYaml(), imagesYaml("apple", { [digest("b")]: ["1.0"] }));
  const set = computeEdges([a, b]);
  assert.equal(set.overlaps.length, 1);
  const o = set.overlaps[0]!;
  assert.equal(o.target, "gcr.io/prod/apple:1.0");
  assert.equal(o.a.manifest, a);
  assert.equal(o.b.manifest, b);
  assert.deepEqual(overlapErrors(set.overlaps).map((e) => e.message), [
    `b.yaml:8:81: images[0].dmap."${digest("b")}"[0]: overlapping edges detected: ` +
    `gcr.io/prod/apple:1.0 is wanted with ${digest("b")} here and with ${digest("a")} by ` +
    `a.yaml:8:81 (images[0].dmap."${
      digest("a")
    }"[0]); a destination tag can point at one digest only`,
  ]);
});

Deno.test("computeEdges() finds overlaps between registry prefixes and image paths that name the same repository", () => {
  const a = manifest(
    "a.yaml",
    registriesYaml("gcr.io/prod/team"),
    imagesYaml("apple", { [digest("a")]: ["1.0"] }),
  );
  const b = manifest(
    "b.yaml",
    registriesYaml("gcr.io/prod"),
    imagesYaml("team/apple", { [digest("b")]: ["1.0"] }),
  );
  const set = computeEdges([a, b]);
  assert.deepEqual(set.overlaps.map((o) => o.target), ["gcr.io/prod/team/apple:1.0"]);
});

Deno.test("computeEdges() keeps the same tag of different images or registries apart", () => {
  const a = manifest(
    "a.yaml",
    registriesYaml("gcr.io/prod"),
    imagesYaml("apple", { [digest("a")]: ["1.0"] }),
  );
  const b = manifest(
    "b.yaml",
    registriesYaml("gcr.io/prod"),
    imagesYaml("banana", { [digest("b")]: ["1.0"] }),
  );
  const c = manifest(
    "c.yaml",
    registriesYaml("gcr.io/other"),
    imagesYaml("apple", { [digest("c")]: ["1.0"] }),
  );
  const set = computeEdges([a, b, c]);
  assert.equal(set.edges.length, 3);
  assert.deepEqual(set.overlaps, []);
});

Deno.test("computeEdges() gives no edges for a manifest without a source registry", () => {
  const m = manifest("m.yaml", registriesYaml(), imagesYaml("apple", { [digest("a")]: ["1"] }));
  const noSource: Manifest = { ...m, registries: m.registries.filter((r) => !r.src) };
  assert.deepEqual(computeEdges([noSource]).edges, []);
});

Deno.test("computeEdges() names the dmap entry of a tagless edge and the tag of a tagged one", () => {
  const m = manifest(
    "m.yaml",
    registriesYaml(),
    imagesYaml("apple", { [digest("a")]: [] }) +
      imagesYaml("banana", { [digest("b")]: ["x", "y"] }),
  );
  assert.deepEqual(computeEdges([m]).edges.map((e) => e.field), [
    `images[0].dmap."${digest("a")}"`,
    `images[1].dmap."${digest("b")}"[0]`,
    `images[1].dmap."${digest("b")}"[1]`,
  ]);
});
