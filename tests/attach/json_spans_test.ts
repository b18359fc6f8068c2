import assert from "node:assert/strict";
import {
  appendToArray,
  arraySpans,
  JsonShapeError,
  spanText,
  topLevelMembers,
} from "../../src/attach/json_spans.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function elementsOf(text: string, key: string): string[] {
  const bytes = enc(text);
  const span = topLevelMembers(bytes).get(key)!;
  return arraySpans(bytes, span).elements.map((s) => spanText(bytes, s));
}

Deno.test("arraySpans() delimits array elements exactly, whatever they contain", () => {
  const cases: [string, string[]][] = [
    ['{"a":[]}', []],
    ['{"a":[ ]}', []],
    ['{"a":[1,2]}', ["1", "2"]],
    ['{ "a" : [ {"x":"]"} , {"y":"}\\"[,"} ] }', ['{"x":"]"}', '{"y":"}\\"[,"}']],
    ['{"a":[[1,[2]],{"b":[3]}],"c":[9]}', ["[1,[2]]", '{"b":[3]}']],
    ['{"a":["\\u0026 \\\\", "é≠😀"]}', ['"\\u0026 \\\\"', '"é≠😀"']],
    ['{"a":[true,false,null,-1.5e+3]}', ["true", "false", "null", "-1.5e+3"]],
    ['\t{\r\n"a":\n[\n\t{"k":1}\n]\n}\n', ['{"k":1}']],
  ];
  for (const [text, want] of cases) {
    assert.deepEqual(elementsOf(text, "a"), want, text);
    const parsed = JSON.parse(text).a.map((v: unknown) => JSON.stringify(v));
    assert.deepEqual(want.map((w) => JSON.stringify(JSON.parse(w))), parsed, text);
  }
});

Deno.test("topLevelMembers() decodes escaped keys as JSON.parse does", () => {
  const members = topLevelMembers(enc('{"l\\u0061yers":[1],"x":2}'));
  assert.deepEqual([...members.keys()], ["layers", "x"]);
});

Deno.test("topLevelMembers() refuses what is not exactly one well-formed object", () => {
  const cases = [
    "",
    "[]",
    '"a"',
    '{"a":1} {"b":2}',
    '{"a":1,}',
    '{"a" 1}',
    '{"a":[1,2}',
    '{"a":"unterminated}',
    '{"a":"tab\there"}',
    '{"a":}',
    "{" + '"a":'.repeat(1) + "[".repeat(100) + "]".repeat(100) + "}",
  ];
  for (const text of cases) {
    assert.throws(() => topLevelMembers(enc(text)), JsonShapeError, JSON.stringify(text));
  }
});

Deno.test("topLevelMembers() refuses a key given twice, which readers take differently", () => {
  assert.throws(
    () => topLevelMembers(enc('{"layers":[1],"layers":[2]}')),
    (e) => e instanceof JsonShapeError && /"layers" appears twice/.test(e.message),
  );
  assert.throws(() => topLevelMembers(enc('{"layers":[1],"l\\u0061yers":[2]}')), JsonShapeError);
  // Nested repeats are left to JSON.parse, which is what the entries are read with.
  assert.equal(topLevelMembers(enc('{"a":{"k":1,"k":2}}')).size, 1);
});

Deno.test("appendToArray() adds elements after the last one and keeps every other byte", () => {
  const cases: [string, string[], string][] = [
    ['{"a":[]}', ["1"], '{"a":[1]}'],
    ['{"a":[ ]}', ["1", "2"], '{"a":[ 1,2]}'],
    ['{"a":[0],"b":"]"}', ["1"], '{"a":[0,1],"b":"]"}'],
    [
      '{\n  "a": [\n    {"x": 0}\n  ]\n}\n',
      ['{"x":1}'],
      '{\n  "a": [\n    {"x": 0},{"x":1}\n  ]\n}\n',
    ],
    ['{"a":[0]}', [], '{"a":[0]}'],
  ];
  for (const [text, add, want] of cases) {
    const bytes = enc(text);
    const spans = arraySpans(bytes, topLevelMembers(bytes).get("a")!);
    const out = dec(appendToArray(bytes, spans, add.map(enc)));
    assert.equal(out, want, text);
    assert.deepEqual(JSON.parse(out).a, [...JSON.parse(text).a, ...add.map((a) => JSON.parse(a))]);
  }
});

Deno.test("appendToArray() leaves the input untouched", () => {
  const bytes = enc('{"a":[0]}');
  const copy = bytes.slice();
  appendToArray(bytes, arraySpans(bytes, topLevelMembers(bytes).get("a")!), [enc("1")]);
  assert.deepEqual(bytes, copy);
});
