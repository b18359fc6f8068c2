import assert from "node:assert/strict";
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type ParsedNode } from "yaml";
import { readSimpleYaml } from "../../src/manifest/yaml_fast.ts";
import { MAX_YAML_VALUES } from "../../src/manifest/mod.ts";
import { CORPUS_DIR } from "./corpus.ts";
import { TESTDATA } from "./fixtures.ts";

/** What the validator reads of a node: kinds, values, source text, types and start offsets. */
function dump(node: ParsedNode | null | undefined): unknown {
  if (node === null || node === undefined) return null;
  if (isMap(node)) {
    return {
      map: node.range?.[0],
      flow: node.flow ?? false,
      items: node.items.map((p) => [dump(p.key as ParsedNode), dump(p.value as ParsedNode)]),
    };
  }
  if (isSeq(node)) {
    return {
      seq: node.range?.[0],
      flow: node.flow ?? false,
      items: node.items.map((i) => dump(i as ParsedNode)),
    };
  }
  if (isScalar(node)) {
    const v = node.value;
    return {
      at: node.range?.[0],
      type: node.type,
      source: node.source,
      value: typeof v === "number" && Number.isNaN(v) ? "NaN" : v,
      kind: typeof v,
    };
  }
  return { other: node.range?.[0] };
}

/**
 * Reads `text` with both readers. When the fast reader takes it, the library must read it
 * without a problem into the same tree, with the same line starts. Returns whether the fast
 * reader took it.
 */
function agree(text: string): boolean {
  const fastLines = new LineCounter();
  const fast = readSimpleYaml(text, fastLines, MAX_YAML_VALUES);
  if (fast === undefined) {
    assert.deepEqual(fastLines.lineStarts, [], "line starts added although it gave up");
    return false;
  }
  const libLines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: libLines, uniqueKeys: false });
  const doc = docs[0];
  const errors = docs.flatMap((d) => [...d.errors, ...d.warnings]).map((e) => e.message);
  assert.deepEqual(
    errors,
    [],
    `the fast reader took text the library refuses: ${JSON.stringify(text)}`,
  );
  assert.ok(docs.length <= 1, `several documents: ${JSON.stringify(text)}`);
  const contents = doc?.contents ?? null;
  const libRoot = isScalar(contents) && contents.value === null ? null : contents;
  assert.deepEqual(dump(fast), dump(libRoot as ParsedNode | null), JSON.stringify(text));
  assert.deepEqual(fastLines.lineStarts, libLines.lineStarts.slice(0, fastLines.lineStarts.length));
  return true;
}

Deno.test("readSimpleYaml() reads every file of the real corpus as the library does", () => {
  const files = [...Deno.readDirSync(`${CORPUS_DIR}/images`)].flatMap((d) => [
    `${CORPUS_DIR}/images/${d.name}/images.yaml`,
    `${CORPUS_DIR}/manifests/${d.name}/promoter-manifest.yaml`,
  ]).filter((f) => {
    try {
      return Deno.statSync(f).isFile;
    } catch {
      return false;
    }
  });
  assert.ok(files.length > 100, `only ${files.length} corpus files`);
  const refused = files.filter((f) => !agree(Deno.readTextFileSync(f)));
  // Every real file is in the plain shape: the speed of reading real trees rests on it.
  assert.deepEqual(refused, []);
});

Deno.test("readSimpleYaml() agrees with the library on the test manifests or leaves them to it", () => {
  let taken = 0;
  for (const dir of ["manifests/valid", "manifests/invalid"]) {
    for (const e of Deno.readDirSync(`${TESTDATA}${dir}`)) {
      const bytes = Deno.readFileSync(`${TESTDATA}${dir}/${e.name}`);
      const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
      if (text.includes("\0")) continue;
      if (agree(text)) taken++;
    }
  }
  assert.ok(taken >= 20, `the fast reader took only ${taken} test manifests`);
});

/** Texts the fast reader takes (and must read as the library does). */
const TAKEN: string[] = [
  '- name: foo\n  dmap:\n    "sha256:aa": ["1.0", "latest"]\n',
  "- name: foo # the name\n  dmap: # digests\n    sha256:aa: [ 1.0, 1.10 ,2 ]   \n",
  "- name: foo\r\n  dmap:\r\n    'sha256:aa': []\r\n",
  "- name: foo\n  dmap:\n",
  "- name: foo\n  dmap:   \n",
  "- name: foo\n  dmap: {}\n",
  '- name: foo\n  dmap:\n    sha256:aa:\n    - 1.0\n    - "x"\n    - true\n    - ~\n    - null\n',
  "- name: foo\n  dmap:\n    sha256:aa:\n      - 007\n      - 0x1F\n      - .inf\n      - 1e3\n",
  "# only a comment\n\n   # and another\n",
  "",
  "[]\n",
  "[ ]",
  "registries:\n- name: gcr.io/a\n  src: true\n- name: us-docker.pkg.dev/b/c\n  service-account: a@b.iam.gserviceaccount.com\nimages: []\n",
  'registries:\n  - name: gcr.io/a\n    src: yes\nimagesPath: "../../images/x/images.yaml"\n',
  "a:\n  b:\n    c:\n      d: [x]\n",
  '- name: a\n  dmap:\n    sha256:aa: ["1"]\n- name: a\n  dmap:\n    sha256:bb: ["2"]\n',
  "- name: a\n\n\n  dmap:\n\n    sha256:aa: []\n",
  "- name: a\n  dmap:\n    sha256:aa: ['x', \"y\"]",
  "key: value\n",
  "key:\n",
];

for (const text of TAKEN) {
  Deno.test(`readSimpleYaml() takes ${JSON.stringify(text).slice(0, 60)} as the library reads it`, () => {
    assert.ok(agree(text), "the fast reader gave up");
  });
}

/** Texts outside the plain shape: the fast reader leaves them to the library. */
const LEFT: string[] = [
  "- name: foo\n\tdmap: {}\n",
  "a: &x 1\nb: *x\n",
  "a: !!str 1\n",
  'a: "es\\"caped"\n',
  "---\na: 1\n",
  "a: 1\n---\nb: 2\n",
  "a: |\n  text\n",
  "a: >\n  text\n",
  "a: two words\n",
  "a: b#c\n",
  'a: ["x #y"]\n',
  "a: [x, [y]]\n",
  "a: {b: c}\n",
  "a: [x,]\n",
  "-\n  name: foo\n",
  "- - x\n",
  "  a: 1\n",
  "a: 1\n  b: 2\n",
  "a:\n    b: 1\n  c: 2\n",
  "a: 'it''s'\n",
  "a: -1\n",
  'a: "x\n  y"\n',
  "? a\n: b\n",
  "a\rb: 1\n",
  '"a" b: 1\n',
];

for (const text of LEFT) {
  Deno.test(`readSimpleYaml() leaves ${JSON.stringify(text)} to the library`, () => {
    assert.equal(agree(text), false);
  });
}

Deno.test("readSimpleYaml() gives up beyond the most values allowed", () => {
  const text = "- a\n- b\n- c\n";
  assert.notEqual(readSimpleYaml(text, new LineCounter(), 4), undefined);
  assert.equal(readSimpleYaml(text, new LineCounter(), 3), undefined);
});

/** A small deterministic random source, so that a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FRAGMENTS = [
  "- name: foo",
  "- name: 1.0",
  "- ",
  "-",
  "  dmap:",
  "  dmap: {}",
  "  dmap: []",
  '    "sha256:aa": ["1.0"]',
  "    sha256:bb: [1.10, x]",
  "    sha256:cc:",
  "    - 1.0",
  "      - x",
  "  - y",
  "a: b",
  "a:",
  "a: 'q'",
  'a: "q"',
  "a: [ ]",
  "# c",
  "",
  "   ",
  "b: c # d",
  "  e: f",
  "    g: h",
  "x: true",
  "x: ~",
  "x: null",
  "x: y: z",
  "x: [a, b c]",
  '"k": v',
  "'k': [\"v\"]",
  "k:v",
  "- k: v",
  "  - k: v",
];

Deno.test("readSimpleYaml() never reads random text otherwise than the library", () => {
  const next = random(20261202);
  let taken = 0;
  for (let n = 0; n < 10000; n++) {
    const lines: string[] = [];
    const count = 1 + Math.floor(next() * 8);
    for (let i = 0; i < count; i++) {
      const f = FRAGMENTS[Math.floor(next() * FRAGMENTS.length)]!;
      const pad = next() < 0.2 ? " ".repeat(Math.floor(next() * 4)) : "";
      lines.push(pad + f + (next() < 0.1 ? "  " : ""));
    }
    const end = next() < 0.2 ? "\r\n" : "\n";
    if (agree(lines.join(end) + (next() < 0.5 ? end : ""))) taken++;
  }
  assert.ok(taken > 500, `the fast reader took only ${taken} of 10000 random texts`);
});
