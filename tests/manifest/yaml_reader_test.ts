import assert from "node:assert/strict";
import { Problems } from "../../src/manifest/problems.ts";
import { readYamlDocument } from "../../src/manifest/yaml_reader.ts";
import { checkYamlLimits, MAX_YAML_VALUES } from "../../src/manifest/yaml_limits.ts";

/** The deepest nesting allowed (docs/manifests.md: "nested more than 64 levels deep"). */
const MAX_NESTING = 64;

const nestingCases: [string, string, number][] = [
  ["a manifest-like document", "a:\n- b: [c, {d: [e]}]\n", -1],
  ["flow collections at the limit", "[".repeat(MAX_NESTING) + "]".repeat(MAX_NESTING), -1],
  ["flow collections over the limit", "[".repeat(MAX_NESTING + 1), MAX_NESTING],
  ["maps and lists mixed over the limit", "a: " + "{b: [".repeat(MAX_NESTING), 3 + 5 * 32],
  ["sequence indicators on one line at the limit", "- ".repeat(MAX_NESTING) + "x", -1],
  [
    "sequence indicators on one line over the limit",
    "- ".repeat(MAX_NESTING + 1) + "x",
    2 * MAX_NESTING,
  ],
  ["explicit keys on one line over the limit", "? ".repeat(MAX_NESTING + 1) + "x", 2 * MAX_NESTING],
  ["brackets inside quoted strings", `a: "${"[".repeat(100)}"\nb: '${"{".repeat(100)}'\n`, -1],
  ["brackets inside comments", `a: b # ${"[".repeat(100)}\n`, -1],
  ["brackets inside a block scalar", `a: |\n  ${"[".repeat(100)}\n`, -1],
  ["many closed collections in a row", "[[]]".repeat(1000), -1],
  ["many list items on many lines", "- a\n".repeat(1000), -1],
];

for (const [what, text, offset] of nestingCases) {
  Deno.test(`checkYamlLimits() handles ${what}`, () => {
    const breach = checkYamlLimits(text);
    assert.equal(breach?.offset ?? -1, offset);
    if (breach) assert.match(breach.detail, /nested more than 64 levels deep/);
  });
}

const valueCases: [string, string, number | null][] = [
  ["plain scalars in a block map", "a: b\nc: d\n", null],
  ["one value over the limit", "a: b\nc: d\ne: f\n", 10],
  ["quoted scalars and flow lists", `k: ["a", 'b']\n`, null],
  ["a flow list of numbers over the limit", "[1,2,3,4,5,6,7]", 11],
  ["empty values", "a:\nb:\nc:\nd:\n", 9],
  ["aliases", "- *a\n- *a\n- *a\n- *a\n", 15],
];

for (const [what, text, offset] of valueCases) {
  Deno.test(`checkYamlLimits() counts values: ${what}`, () => {
    const breach = checkYamlLimits(text, { nesting: 64, values: 6 });
    assert.equal(breach?.offset ?? null, offset);
    if (breach) assert.match(breach.detail, /more than 6 YAML values; split it/);
  });
}

/** The problem messages of reading `text` as a YAML document. */
function readProblems(text: string): string[] {
  const problems = new Problems();
  readYamlDocument(text, "f.yaml", problems);
  return problems.toError().errors.map((e) => e.message);
}

Deno.test("readYamlDocument() refuses megabytes of nested brackets quickly instead of running out of memory", () => {
  assert.deepEqual(readProblems("[".repeat(8 * 1024 * 1024)), [
    `f.yaml:1:${
      MAX_NESTING + 1
    }: YAML nested more than ${MAX_NESTING} levels deep; a manifest needs only a few levels`,
  ]);
});

Deno.test("readYamlDocument() reports at most 20 syntax errors per file and counts the rest", () => {
  const problems = new Problems();
  readYamlDocument("a: [\n".repeat(3) + "}\n".repeat(200), "f.yaml", problems);
  const shown = problems.toError();
  assert.equal(shown.errors.length, 20);
  assert.ok(shown.total > 20, `total ${shown.total}`);
});

Deno.test("readYamlDocument() names the start of the second document", () => {
  assert.deepEqual(readProblems("a: 1\n---\nb: 2\n---\nc: 3\n"), [
    "f.yaml:2:1: the file holds 3 YAML documents; a manifest file holds exactly one (a reader " +
    "that takes only the first would ignore the rest)",
  ]);
});

Deno.test("readYamlDocument() accepts empty documents after the first: nothing is ignored", () => {
  const problems = new Problems();
  const y = readYamlDocument("a: 1\n---\n# nothing here\n---\n", "f.yaml", problems);
  assert.equal(problems.count, 0);
  assert.ok(y?.root);
});

Deno.test("readYamlDocument() accepts one document with explicit start and end markers", () => {
  const problems = new Problems();
  const y = readYamlDocument("---\na: 1\n...\n", "f.yaml", problems);
  assert.equal(problems.count, 0);
  assert.ok(y?.root);
});

Deno.test("readYamlDocument() refuses a file of more than MAX_YAML_VALUES tiny values before building them", () => {
  const text = `a: [${"1,".repeat(MAX_YAML_VALUES)}1]\n`;
  assert.deepEqual(readProblems(text), [
    `f.yaml:1:${5 + 2 * (MAX_YAML_VALUES - 3)}: the file holds more than ${MAX_YAML_VALUES} ` +
    "YAML values; split it into several manifests",
  ]);
});
