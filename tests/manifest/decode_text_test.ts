import assert from "node:assert/strict";
import { decodeManifestText } from "../../src/manifest/decode_text.ts";
import { Problems } from "../../src/manifest/problems.ts";

const utf8Cases: [string, number[], number][] = [
  ["ASCII", [0x61, 0x62], 2],
  [
    "two-, three- and four-byte characters",
    [0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80],
    9,
  ],
  ["a lone continuation byte", [0x61, 0x80], 1],
  ["an overlong encoding of /", [0xc0, 0xaf], 0],
  ["an overlong three-byte encoding", [0xe0, 0x80, 0xaf], 0],
  ["an encoded surrogate", [0x61, 0xed, 0xa0, 0x80], 1],
  ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], 0],
  ["a lead byte that cannot start anything", [0x61, 0x62, 0xff], 2],
  ["a character cut short by the end", [0x61, 0xe2, 0x82], 1],
  ["a character cut short by ASCII", [0xe2, 0x41, 0x41], 0],
];

for (const [what, bytes, offset] of utf8Cases) {
  const name = offset === bytes.length ? `accepts ${what}` : `finds ${what} at byte ${offset}`;
  Deno.test(`decodeManifestText() ${name}`, () => {
    const problems = new Problems();
    const text = decodeManifestText(new Uint8Array(bytes), "f", problems);
    if (offset === bytes.length) {
      assert.equal(problems.count, 0);
      assert.equal(text, new TextDecoder().decode(new Uint8Array(bytes)));
    } else {
      assert.equal(text, null);
      assert.match(problems.toError().errors[0]!.detail, new RegExp(`at byte offset ${offset}\\)`));
    }
  });
}

Deno.test("decodeManifestText() drops a byte order mark and keeps the rest", () => {
  const problems = new Problems();
  const text = decodeManifestText(
    new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0x3a, 0x20, 0xc3, 0xa9]),
    "f",
    problems,
  );
  assert.equal(text, "a: é");
  assert.equal(problems.count, 0);
});

Deno.test("decodeManifestText() reports the line and column of the first bad byte", () => {
  const problems = new Problems();
  const bytes = new Uint8Array([0x61, 0x0a, 0x62, 0x62, 0xfe]);
  assert.equal(decodeManifestText(bytes, "f", problems), null);
  const [e] = problems.toError().errors;
  assert.deepEqual(e?.pos, { file: "f", line: 2, col: 3 });
  assert.match(e!.detail, /not valid UTF-8 text \(bad byte 0xfe at byte offset 4\)/);
});

Deno.test("decodeManifestText() refuses NUL bytes before trying UTF-8", () => {
  const problems = new Problems();
  assert.equal(decodeManifestText(new Uint8Array([0xff, 0x00]), "f", problems), null);
  assert.match(problems.toError().errors[0]!.message, /^f:1:2: the file contains a NUL byte/);
});
