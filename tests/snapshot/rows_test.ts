import assert from "node:assert/strict";
import type { Edge, Manifest, RegistrySpec } from "../../src/manifest/types.ts";
import { snapshotFromEdges, snapshotFromInventory } from "../../src/snapshot/rows.ts";
import { inventoryOf } from "../fixtures/inventory.ts";

const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;
const C = `sha256:${"c".repeat(64)}`;

Deno.test("snapshotFromInventory() names only repositories below the prefix and leaves the others out", () => {
  const inventory = inventoryOf({
    "p": [{ digest: A, tags: ["1"] }],
    "p/foo/bar": [{ digest: A, tags: ["1"] }],
    "pp/foo": [{ digest: A, tags: ["1"] }],
    "q/foo": [{ digest: A, tags: ["1"] }],
  });
  const below = snapshotFromInventory(inventory, "p");
  assert.deepEqual(below.images.map((i) => i.name), ["foo/bar"]);
  assert.deepEqual(below.unnamed, ["p", "pp/foo", "q/foo"]);
  const all = snapshotFromInventory(inventory, "");
  assert.deepEqual(all.images.map((i) => i.name), ["p", "p/foo/bar", "pp/foo", "q/foo"]);
});

Deno.test("snapshotFromInventory() sorts names, digests and tags by code unit", () => {
  const { images, unnamed } = snapshotFromInventory(
    inventoryOf({
      "p/zeta": [{ digest: B, tags: ["latest", "1.0", "Z"] }, { digest: A, tags: [] }],
      "p/Alpha": [{ digest: C, tags: ["b", "a"] }],
      "p/alpha": [{ digest: A, tags: [] }],
      "p/empty": [],
    }),
    "p",
  );
  assert.deepEqual(unnamed, []);
  assert.deepEqual(images, [
    { name: "Alpha", digests: [{ digest: C, tags: ["a", "b"] }] },
    { name: "alpha", digests: [{ digest: A, tags: [] }] },
    {
      name: "zeta",
      digests: [{ digest: A, tags: [] }, { digest: B, tags: ["1.0", "Z", "latest"] }],
    },
  ]);
});

Deno.test("snapshotFromInventory() adds children known only from their list as tagless", () => {
  const { images } = snapshotFromInventory(
    inventoryOf({
      foo: [{
        digest: C,
        tags: ["1.0"],
        mediaType: "application/vnd.oci.image.index.v1+json",
        size: 300,
        children: [B, A],
      }, { digest: B, tags: ["b"], size: 10 }],
    }),
    "",
  );
  assert.deepEqual(images, [{
    name: "foo",
    digests: [
      { digest: A, tags: [] },
      { digest: B, tags: ["b"], size: 10 },
      {
        digest: C,
        tags: ["1.0"],
        mediaType: "application/vnd.oci.image.index.v1+json",
        size: 300,
        children: [B, A],
      },
    ],
  }]);
});

Deno.test("snapshotFromInventory() reports the repository the path itself names as unnamed", () => {
  const { images, unnamed } = snapshotFromInventory(
    inventoryOf({ "p": [{ digest: A, tags: ["x"] }], "p/foo": [{ digest: B, tags: [] }] }),
    "p",
  );
  assert.deepEqual(unnamed, ["p"]);
  assert.deepEqual(images.map((i) => i.name), ["foo"]);
});

const pos = { file: "m.yaml", line: 1, col: 1 };
const manifest = { file: "m.yaml", imagesFile: "m.yaml", registries: [], images: [] } as Manifest;
function reg(name: string, src = false): RegistrySpec {
  return { name, src, pos };
}
function edge(dst: string, image: string, digest: string, tag: string | null): Edge {
  return {
    manifest,
    src: reg("src.io/staging", true),
    dst: reg(dst),
    image,
    digest,
    tag,
    pos,
    field: "images[0]",
  };
}

Deno.test("snapshotFromEdges() keeps edges below the registry and prefixes the extra path", () => {
  const edges = [
    edge("reg.io/prod/images", "foo", A, "1.0"),
    edge("reg.io/prod/images", "foo", A, "latest"),
    edge("reg.io/prod/images", "foo", B, null),
    edge("reg.io/prod/images/sub", "bar", C, "2.0"),
    edge("reg.io/prod/imagesx", "baz", C, "2.0"),
    edge("other.io/prod/images", "qux", C, "2.0"),
  ];
  assert.deepEqual(snapshotFromEdges(edges, "reg.io/prod/images"), {
    images: [
      { name: "foo", digests: [{ digest: A, tags: ["1.0", "latest"] }, { digest: B, tags: [] }] },
      { name: "sub/bar", digests: [{ digest: C, tags: ["2.0"] }] },
    ],
    unnamed: [],
  });
  assert.deepEqual(snapshotFromEdges(edges, "reg.io").images.map((i) => i.name), [
    "prod/images/foo",
    "prod/images/sub/bar",
    "prod/imagesx/baz",
  ]);
  assert.deepEqual(snapshotFromEdges(edges, "reg.io/prod/images/foo").unnamed, [
    "reg.io/prod/images/foo",
  ]);
});

Deno.test("snapshotFromEdges() merges a tagless edge with tagged edges of the same digest", () => {
  const edges = [edge("r.io", "foo", A, null), edge("r.io", "foo", A, "1.0")];
  assert.deepEqual(snapshotFromEdges(edges, "r.io").images, [
    { name: "foo", digests: [{ digest: A, tags: ["1.0"] }] },
  ]);
});
