import assert from "node:assert/strict";
import { plan, type PlanInput } from "../../src/promote/plan.ts";
import type { ImageRecord, Inventory } from "../../src/registry/inventory_types.ts";
import { edge, manifestOf } from "./edges_fixture.ts";

const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;
const C = `sha256:${"c".repeat(64)}`;
const SRC = "stage.example/proj";
const DST = "prod.example/images";
const DST2 = "mirror.example";
const m = manifestOf(SRC, [DST, DST2]);

const locations = new Map([
  [SRC, { backendId: "stage", prefix: "proj" }],
  [DST, { backendId: "prod", prefix: "images" }],
  [DST2, { backendId: "mirror", prefix: "" }],
]);

/** An inventory from `repo -> [digest, tags, children?][]`. */
function inv(repos: Record<string, [string, string[], string[]?][]>): Inventory {
  return new Map(
    Object.entries(repos).map(([repo, records]) => [
      repo,
      new Map(records.map(([digest, tags, children]) => {
        const r: ImageRecord = {
          digest,
          tags,
          mediaType: "application/vnd.oci.image.manifest.v1+json",
        };
        if (children) {
          r.children = children;
          r.mediaType = "application/vnd.oci.image.index.v1+json";
        }
        return [digest, r];
      })),
    ]),
  );
}

function input(edges: PlanInput["edges"], stage: Inventory, prod: Inventory): PlanInput {
  return { edges, locations, inventories: new Map([["stage", stage], ["prod", prod]]) };
}

const table: [string, string, string | null, Inventory, Inventory, string][] = [
  [
    "skips a digest and tag already promoted",
    A,
    "1.0",
    inv({ "proj/foo": [[A, []]] }),
    inv({ "images/foo": [[A, ["1.0"]]] }),
    "present",
  ],
  [
    "skips a tagless digest already promoted",
    A,
    null,
    inv({}),
    inv({ "images/foo": [[A, []]] }),
    "present",
  ],
  [
    "copies a digest the destination lacks",
    A,
    "1.0",
    inv({ "proj/foo": [[A, ["x"]]] }),
    inv({}),
    "copy",
  ],
  [
    "copies a tagless digest",
    A,
    null,
    inv({ "proj/foo": [[A, []]] }),
    inv({ "images/foo": [[B, ["1.0"]]] }),
    "copy",
  ],
  [
    "adds a tag to a digest already there",
    A,
    "2.0",
    inv({ "proj/foo": [[A, []]] }),
    inv({ "images/foo": [[A, ["1.0"]]] }),
    "tag",
  ],
  [
    "adds a tag even when the source lost the digest",
    A,
    "2.0",
    inv({}),
    inv({ "images/foo": [[A, []]] }),
    "tag",
  ],
  [
    "reports a digest neither side has as missing",
    C,
    "1.0",
    inv({ "proj/foo": [[A, []]] }),
    inv({}),
    "missing",
  ],
  ["reports a tagless digest neither side has as missing", C, null, inv({}), inv({}), "missing"],
  [
    "refuses a tag move",
    A,
    "1.0",
    inv({ "proj/foo": [[A, []]] }),
    inv({ "images/foo": [[B, ["1.0"]]] }),
    "tag-move",
  ],
  [
    "refuses a tag move even when the digest is already there",
    A,
    "1.0",
    inv({}),
    inv({ "images/foo": [[A, []], [B, ["1.0"]]] }),
    "tag-move",
  ],
];

for (const [name, digest, tag, stage, prod, want] of table) {
  Deno.test(`plan() ${name}`, () => {
    const p = plan(input([edge(m, DST, "foo", digest, tag)], stage, prod));
    assert.equal(p.decisions.length, 1);
    assert.equal(p.decisions[0]?.decision, want);
    const acts = want === "copy" || want === "tag" ? 1 : 0;
    assert.equal(p.actions.length, acts);
    if (acts) assert.equal(p.actions[0]?.kind, want);
  });
}

Deno.test("plan() names the digest a refused tag move would replace", () => {
  const p = plan(input(
    [edge(m, DST, "foo", A, "1.0")],
    inv({ "proj/foo": [[A, []]] }),
    inv({ "images/foo": [[B, ["1.0"]]] }),
  ));
  assert.equal(p.decisions[0]?.current, B);
  assert.match(p.decisions[0]?.reason ?? "", /never moves a tag/);
});

Deno.test("plan() refuses to write into the source repository", () => {
  const self = manifestOf(SRC, [DST]);
  const clash = new Map(locations);
  clash.set(DST, { backendId: "stage", prefix: "proj" });
  const p = plan({
    edges: [edge(self, DST, "foo", A, "1.0")],
    locations: clash,
    inventories: new Map([["stage", inv({ "proj/foo": [[A, []]] })]]),
  });
  assert.equal(p.decisions[0]?.decision, "source-write");
  assert.equal(p.actions.length, 0);
});

Deno.test("plan() groups the tags of one digest into one copy action per destination", () => {
  const stage = inv({ "proj/foo": [[A, []]] });
  const p = plan({
    edges: [
      edge(m, DST, "foo", A, "latest"),
      edge(m, DST, "foo", A, "1.0"),
      edge(m, DST2, "foo", A, "1.0"),
    ],
    locations,
    inventories: new Map([["stage", stage]]),
  });
  assert.deepEqual(
    p.actions.map((a) => [a.dst, a.dstRepo, a.kind, a.tags, a.edges.length]),
    [[DST2, "foo", "copy", ["1.0"], 1], [DST, "images/foo", "copy", ["1.0", "latest"], 2]],
  );
});

Deno.test("plan() copies a digest once when one tag is missing and the digest is absent", () => {
  const p = plan(input(
    [edge(m, DST, "foo", A, null), edge(m, DST, "foo", A, "1.0")],
    inv({ "proj/foo": [[A, []]] }),
    inv({}),
  ));
  assert.deepEqual(p.actions.map((a) => [a.kind, a.tags]), [["copy", ["1.0"]]]);
});

Deno.test("plan() knows the children of an index it copies", () => {
  const p = plan(input(
    [edge(m, DST, "foo", A, "1.0")],
    inv({ "proj/foo": [[A, ["1.0"], [B, C]], [B, []], [C, []]] }),
    inv({}),
  ));
  assert.deepEqual(p.actions[0]?.children, [B, C]);
  assert.equal(p.actions[0]?.mediaType, "application/vnd.oci.image.index.v1+json");
});
