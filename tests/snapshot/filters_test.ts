import assert from "node:assert/strict";
import { keepTagged, minimal } from "../../src/snapshot/filters.ts";
import type { Snapshot } from "../../src/snapshot/rows.ts";

const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;
const C = `sha256:${"c".repeat(64)}`;
const L = `sha256:${"f".repeat(64)}`;

function sample(): Snapshot {
  return [
    {
      name: "foo",
      digests: [
        { digest: A, tags: [] },
        { digest: B, tags: ["b"] },
        { digest: C, tags: [] },
        { digest: L, tags: ["1.0", "latest"], children: [A, B] },
      ],
    },
    { name: "bar", digests: [{ digest: A, tags: [] }, { digest: C, tags: ["latest"] }] },
  ];
}

Deno.test("keepTagged() keeps digests carrying the tag, with all their tags", () => {
  assert.deepEqual(keepTagged(sample(), "latest"), [
    { name: "foo", digests: [{ digest: L, tags: ["1.0", "latest"], children: [A, B] }] },
    { name: "bar", digests: [{ digest: C, tags: ["latest"] }] },
  ]);
});

Deno.test("keepTagged() drops images left without digests", () => {
  assert.deepEqual(keepTagged(sample(), "b").map((i) => i.name), ["foo"]);
  assert.deepEqual(keepTagged(sample(), "nope"), []);
});

Deno.test("minimal() drops tagless children of a list in the same image only", () => {
  const out = minimal(sample());
  assert.deepEqual(out[0]?.digests.map((d) => d.digest), [B, C, L]);
  // A is a child of L in foo, but bar has no list: A stays in bar.
  assert.deepEqual(out[1]?.digests.map((d) => d.digest), [A, C]);
});

Deno.test("minimal() uses children known from elsewhere, by image name", () => {
  const snap: Snapshot = [
    { name: "foo", digests: [{ digest: A, tags: [] }, { digest: L, tags: ["1.0"] }] },
    { name: "bar", digests: [{ digest: A, tags: [] }] },
  ];
  const out = minimal(snap, new Map([["foo", new Set([A])], ["bar", new Set([A])]]));
  assert.deepEqual(out, [{ name: "foo", digests: [{ digest: L, tags: ["1.0"] }] }]);
});
