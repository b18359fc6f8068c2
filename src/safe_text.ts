/**
 * Text from outside (registries, token servers, credential helpers, layout files) made safe for
 * a terminal, a log line or a CI annotation (pure): control characters become visible escapes.
 */

/** The longest piece of outside text put into one message, by default. */
export const OUTSIDE_TEXT_LIMIT = 300;

/**
 * Whether a character must not reach a terminal as it is: C0 controls (newline and tab too),
 * DEL, C1 controls (an 8-bit CSI starts escape sequences on some terminals), the Unicode line
 * and paragraph separators, and the bidirectional overrides and isolates that reorder text.
 */
function unsafe(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 ||
    code === 0x2029 || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

const NAMED: Record<number, string> = { 0x09: "\\t", 0x0a: "\\n", 0x0d: "\\r" };

/**
 * `text` with every unsafe character written as an escape (`\n`, `\t`, `\r`, `\x1b`,
 * `\u202e`), so that it stays on one line and cannot move the cursor, change colours, start a
 * workflow command on a line of its own, or reorder what follows it.
 */
export function escapeControls(text: string): string {
  let out = "";
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!unsafe(code)) continue;
    out += text.slice(start, i) + (NAMED[code] ?? hexEscape(code));
    start = i + 1;
  }
  return start === 0 ? text : out + text.slice(start);
}

function hexEscape(code: number): string {
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * Outside text to put into a message: runs of white space (newlines included) become one
 * space, what is left of control characters is escaped, and the result is cut to `limit`
 * characters (`...` marks a cut).
 */
export function outsideText(text: string, limit = OUTSIDE_TEXT_LIMIT): string {
  const one = escapeControls(text.replace(/\s+/g, " ").trim());
  return one.length > limit ? `${one.slice(0, limit)}...` : one;
}
