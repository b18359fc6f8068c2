import assert from "node:assert/strict";
import { keepTagged, minimal, withoutAttachments } from "../../src/snapshot/filters.ts";
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

Deno.test("withoutAttachments() leaves out signature tags, what only they name, and the referrers an index lists", () => {
  const R = `sha256:${"d".repeat(64)}`;
  const S = `sha256:${"e".repeat(64)}`;
  const snapshot: Snapshot = [{
    name: "app",
    digests: [
      { digest: A, tags: ["1.0", `sha256-${"a".repeat(64)}.sig`] },
      { digest: B, tags: [`sha256-${"a".repeat(64)}.sig`] },
      { digest: C, tags: [`sha256-${"a".repeat(64)}`], children: [R] },
      { digest: R, tags: [] },
      { digest: L, tags: ["v1"], children: [S] },
      { digest: S, tags: [] },
    ],
  }, { name: "sigs", digests: [{ digest: B, tags: [`sha256-${"c".repeat(64)}.att`] }] }];
  assert.deepEqual(withoutAttachments(snapshot), [{
    name: "app",
    digests: [
      { digest: A, tags: ["1.0"] },
      { digest: L, tags: ["v1"], children: [S] },
      { digest: S, tags: [] },
    ],
  }]);
});
