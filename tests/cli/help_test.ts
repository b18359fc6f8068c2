import assert from "node:assert/strict";
import { FLAGS } from "../../src/cli/flags.ts";
import { helpText, wrap } from "../../src/cli/help.ts";

Deno.test("wrap() breaks at spaces within the width and keeps every word", () => {
  assert.deepEqual(wrap("aa bb cc dd", 5), ["aa bb", "cc dd"]);
  assert.deepEqual(wrap("averyveryverylongword x", 5), ["averyveryverylongword", "x"]);
  assert.deepEqual(wrap("", 5), []);
});

Deno.test("helpText() lists every flag with its default and keeps lines within 96 columns", () => {
  const text = helpText();
  const flat = text.replace(/\s+/g, " ");
  for (const f of FLAGS) {
    assert.ok(text.includes(`--${f.name}${f.value ? `=${f.value}` : ""}`), f.name);
    if (f.default !== undefined) assert.ok(flat.includes(`(default: ${f.default})`), f.name);
  }
  const long = text.split("\n").filter((l) => l.length > 96 && !l.includes("  cip run "));
  assert.deepEqual(long, []);
});

Deno.test("helpText() documents the attachment flags of promotion and snapshots", () => {
  const text = helpText().replace(/\s+/g, " ");
  assert.match(text, /--no-attachments Leave signatures, attestations and SBOMs behind/);
  assert.match(text, /--snapshot-without-attachments Leave out signatures, attestations and SBOMs/);
});
