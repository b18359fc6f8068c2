import assert from "node:assert/strict";
import { Logger } from "../src/log.ts";
import { escapeControls, outsideText } from "../src/safe_text.ts";
import { errorFromResponse } from "../src/registry/transport/mod.ts";
import { formatAnnotation } from "../src/checks/findings_text.ts";
import { hasControl } from "./fixtures/control_chars.ts";

/** Every character that must never reach a terminal raw. */
const HOSTILE = "a\x1b[31mred\x07\r\n::add-mask::x\t\x00\x7f\x9b2J\u2028\u202eevil\u2066";

Deno.test("escapeControls() writes every control, separator and bidi character as an escape", () => {
  assert.equal(
    escapeControls(HOSTILE),
    "a\\x1b[31mred\\x07\\r\\n::add-mask::x\\t\\x00\\x7f\\x9b2J\\u2028\\u202eevil\\u2066",
  );
  assert.equal(escapeControls("plain text: ok"), "plain text: ok");
  assert.equal(escapeControls("ünïcödé ✓"), "ünïcödé ✓");
});

Deno.test("outsideText() makes one clipped line without control characters", () => {
  const t = outsideText(HOSTILE);
  assert.ok(!hasControl(t), t);
  assert.ok(!t.includes("\n"));
  assert.equal(outsideText("x".repeat(500), 10), "xxxxxxxxxx...");
  assert.equal(outsideText("  two\n\nlines  "), "two lines");
});

Deno.test("a log line carries a hostile message on one line, its controls escaped", () => {
  const out: string[] = [];
  const log = new Logger("debug", (t) => out.push(t));
  log.error(`Cannot read: ${HOSTILE}`);
  log.info(HOSTILE);
  log.progress(HOSTILE, true);
  for (const line of out) {
    assert.ok(line.endsWith("\n"));
    assert.ok(!hasControl(line.slice(0, -1)), JSON.stringify(line));
  }
  assert.ok(!out.join("").split("\n").some((l) => l.startsWith("::")));
});

Deno.test("a terminal progress line keeps only its own escape sequence", () => {
  const out: string[] = [];
  new Logger("info", (t) => out.push(t), true).progress(`x${HOSTILE}`);
  assert.ok(out[0]!.startsWith("\r\x1b[2Kxa\\x1b"));
  assert.ok(!hasControl(out[0]!.slice("\r\x1b[2K".length)));
});

Deno.test("a registry error's codes, message and Retry-After are one line without controls", async () => {
  const res = Response.json({
    errors: [{
      code: "DENIED\n::warning::pwned",
      message: "no\x1b]0;title\x07 way\r\n::add-mask::",
    }],
  }, { status: 503, headers: { "retry-after": "5\u009b" } });
  const e = await errorFromResponse(res, "read it");
  assert.ok(!hasControl(e.message), e.message);
  assert.match(e.message, /503 DENIED ::warning::pwned \(no\\x1b\]0;title\\x07 way ::add-mask::\)/);
  assert.match(e.message, /Retry-After: 5\\x9b$/);
  assert.deepEqual(e.codes, ["DENIED ::warning::pwned"]);
});

Deno.test("a registry error's code is clipped", async () => {
  const res = Response.json({ errors: [{ code: "X".repeat(10_000) }] }, { status: 400 });
  const e = await errorFromResponse(res, "read it");
  assert.ok(e.message.length < 200, e.message);
});

Deno.test("an annotation's message escapes controls besides the newline GitHub decodes", () => {
  const line = formatAnnotation({ check: "c", severity: "error", message: "a\nb\x1b[1m%" });
  assert.equal(line, "::error title=cip c::a%0Ab\\x1b[1m%25");
});
