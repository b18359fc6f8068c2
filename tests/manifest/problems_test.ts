import assert from "node:assert/strict";
import { ManifestErrors } from "../../src/manifest/errors.ts";
import { Problems, quote, show } from "../../src/manifest/problems.ts";

/** How many problems are shown (docs/manifests.md: "the first 100 are shown"). */
const MAX_SHOWN_PROBLEMS = 100;

Deno.test("Problems lists files in first-seen order and problems by line and column", () => {
  const p = new Problems();
  p.add({ file: "b.yaml", line: 9, col: 1 }, "x", "late");
  p.add({ file: "a.yaml", line: 2, col: 5 }, "", "second");
  p.add({ file: "b.yaml", line: 3, col: 7 }, "y", "early");
  p.add({ file: "a.yaml", line: 2, col: 1 }, "", "first");
  p.add({ file: "b.yaml", line: 0, col: 0 }, "", "whole file");
  assert.deepEqual(p.toError().errors.map((e) => e.message), [
    "b.yaml: whole file",
    "b.yaml:3:7: y: early",
    "b.yaml:9:1: x: late",
    "a.yaml:2:1: first",
    "a.yaml:2:5: second",
  ]);
});

Deno.test("Problems shows the first 100 problems and keeps the total", () => {
  const p = new Problems();
  for (let i = 1; i <= 250; i++) p.add({ file: "f", line: i, col: 1 }, "", `problem ${i}`);
  const e = p.toError();
  assert.ok(e instanceof ManifestErrors);
  assert.equal(e.errors.length, MAX_SHOWN_PROBLEMS);
  assert.equal(e.total, 250);
  assert.equal(e.message, "250 problems found in the manifests");
  assert.equal(e.errors[0]!.detail, "problem 1");
});

Deno.test("Problems keeps counting beyond what it stores", () => {
  const p = new Problems();
  for (let i = 0; i < 20_000; i++) p.add({ file: "f", line: 1, col: 1 }, "", "x");
  p.addUncounted(5);
  assert.equal(p.count, 20_005);
  assert.equal(p.toError().total, 20_005);
});

Deno.test("Problems.throwIfAny() throws only when something was recorded", () => {
  const p = new Problems();
  p.throwIfAny();
  p.add({ file: "f", line: 1, col: 1 }, "", "x");
  assert.throws(() => p.throwIfAny(), ManifestErrors);
});

const showCases: [string, string][] = [
  ["gcr.io/foo", "gcr.io/foo"],
  ["with space", '"with space"'],
  ["", '""'],
  ['"quoted"', '"\\"quoted\\""'],
  ["tab\there", '"tab\\there"'],
  ["é", '"é"'],
  ["x".repeat(81), `"${"x".repeat(80)}…"`],
];

for (const [text, shown] of showCases) {
  Deno.test(`show() writes ${JSON.stringify(text.slice(0, 12))} as ${shown.slice(0, 16)}`, () => {
    assert.equal(show(text), shown);
  });
}

Deno.test("quote() always quotes", () => {
  assert.equal(quote("abc"), '"abc"');
});
