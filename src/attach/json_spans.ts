/**
 * Where the values of a JSON document lie, as byte ranges, so that a merge can append entries
 * to an array while every byte it keeps stays as it was: re-serialising a manifest changes its
 * digest, and JSON writers differ (Go escapes `<`, `>` and `&` in strings; JavaScript does not).
 *
 * The scanner works on UTF-8 bytes: every structural character of JSON is ASCII and never
 * appears inside a multi-byte sequence, so no decoding is needed to find the boundaries. It
 * checks structure only; callers also parse the text with `JSON.parse` and compare.
 */

/** A byte range `[start, end)`. */
export interface Span {
  start: number;
  end: number;
}

/** An array value: the positions of its brackets and the spans of its elements. */
export interface ArraySpans {
  /** Index of `[`. */
  open: number;
  /** Index of `]`. */
  close: number;
  elements: Span[];
}

/** Bytes that are not one JSON object, or whose top level repeats a key. */
export class JsonShapeError extends SyntaxError {
  /** `detail` says what was found and where. */
  constructor(detail: string) {
    super(detail);
    this.name = "JsonShapeError";
  }
}

/** Nesting deeper than this is refused (manifests nest four or five levels). */
const MAX_DEPTH = 64;

const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, COLON = 0x3a;
const OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d;

class Scanner {
  constructor(readonly b: Uint8Array) {}

  ws(i: number): number {
    const b = this.b;
    while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d)) i++;
    return i;
  }

  fail(i: number, what: string): never {
    throw new JsonShapeError(`${what} at byte ${i}`);
  }

  expect(i: number, byte: number, what: string): number {
    if (this.b[i] !== byte) this.fail(i, `expected ${what}`);
    return i + 1;
  }

  string(i: number): number {
    const b = this.b;
    i = this.expect(i, QUOTE, "a string");
    while (i < b.length) {
      const c = b[i]!;
      if (c === QUOTE) return i + 1;
      if (c < 0x20) this.fail(i, "a control character in a string");
      i += c === BACKSLASH ? 2 : 1;
    }
    return this.fail(i, "an unterminated string");
  }

  value(i: number, depth: number): number {
    if (depth > MAX_DEPTH) this.fail(i, `nesting deeper than ${MAX_DEPTH}`);
    const c = this.b[i];
    if (c === QUOTE) return this.string(i);
    if (c === OPEN_BRACE) return this.object(i, depth + 1, () => {});
    if (c === OPEN_BRACKET) return this.array(i, depth + 1).close + 1;
    let j = i;
    while (j < this.b.length && /[-+.0-9a-zA-Z]/.test(String.fromCharCode(this.b[j]!))) j++;
    if (j === i) this.fail(i, "expected a value");
    return j;
  }

  /** Scans an object from `{`, reporting each member; returns the index after `}`. */
  object(i: number, depth: number, member: (key: Span, value: Span) => void): number {
    i = this.ws(this.expect(i, OPEN_BRACE, "an object"));
    if (this.b[i] === CLOSE_BRACE) return i + 1;
    for (;;) {
      const keyStart = i;
      i = this.string(i);
      const key = { start: keyStart, end: i };
      i = this.ws(this.expect(this.ws(i), COLON, '":"'));
      const start = i;
      i = this.value(i, depth);
      member(key, { start, end: i });
      i = this.ws(i);
      if (this.b[i] === CLOSE_BRACE) return i + 1;
      i = this.ws(this.expect(i, COMMA, '"," or "}"'));
    }
  }

  /** Scans an array from `[`. */
  array(i: number, depth: number): ArraySpans {
    const open = i;
    i = this.ws(this.expect(i, OPEN_BRACKET, "an array"));
    const elements: Span[] = [];
    if (this.b[i] === CLOSE_BRACKET) return { open, close: i, elements };
    for (;;) {
      const start = i;
      i = this.value(i, depth);
      elements.push({ start, end: i });
      i = this.ws(i);
      if (this.b[i] === CLOSE_BRACKET) return { open, close: i, elements };
      i = this.ws(this.expect(i, COMMA, '"," or "]"'));
    }
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The text of a byte range (throws TypeError on invalid UTF-8). */
export function spanText(bytes: Uint8Array, span: Span): string {
  return utf8.decode(bytes.subarray(span.start, span.end));
}

/**
 * The members of the top-level object of `bytes`, each key (decoded) to the span of its value.
 * Throws JsonShapeError when the bytes are not one object, or a key is repeated (readers
 * disagree on which of two equal keys counts, so such a document is never taken).
 */
export function topLevelMembers(bytes: Uint8Array): Map<string, Span> {
  const s = new Scanner(bytes);
  const members = new Map<string, Span>();
  const start = s.ws(0);
  const end = s.object(start, 1, (key, value) => {
    const name = JSON.parse(spanText(bytes, key)) as string;
    if (members.has(name)) throw new JsonShapeError(`the key "${name}" appears twice`);
    members.set(name, value);
  });
  if (s.ws(end) !== bytes.length) s.fail(s.ws(end), "text after the object");
  return members;
}

/** The spans of the array whose value lies at `span`; throws JsonShapeError when not an array. */
export function arraySpans(bytes: Uint8Array, span: Span): ArraySpans {
  const s = new Scanner(bytes);
  const found = s.array(span.start, 1);
  if (found.close + 1 !== span.end) s.fail(found.close, "an array that ends early");
  return found;
}

/**
 * `bytes` with `additions` appended, in order, as the last elements of the array at `spans`:
 * everything before and after is kept byte for byte.
 */
export function appendToArray(
  bytes: Uint8Array,
  spans: ArraySpans,
  additions: readonly Uint8Array[],
): Uint8Array {
  if (additions.length === 0) return bytes;
  // After the last element when there is one (whitespace before `]` stays where it was).
  const at = spans.elements.length === 0 ? spans.close : spans.elements.at(-1)!.end;
  const parts: Uint8Array[] = [bytes.subarray(0, at)];
  additions.forEach((a, i) => {
    if (i > 0 || spans.elements.length > 0) parts.push(new Uint8Array([COMMA]));
    parts.push(a);
  });
  parts.push(bytes.subarray(at));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
