/**
 * A fast reader for the plain shape manifests are written in (pure).
 *
 * Real manifests use a small part of YAML: block maps and lists indented with spaces, `#`
 * comments, plain words, quoted strings without escapes, and one-line flow lists such as
 * `["1.0", "latest"]`. This reader builds, for text made only of such lines, the same nodes the
 * YAML library would build (same kinds, values, source text and start offsets), several times
 * faster: the library tokenises every character. Anything else (anchors, tags, escapes, tabs,
 * multi-line scalars, `---`, an indentation it does not follow...) makes it give up, and the
 * library reads the file. tests/manifest/yaml_fast_test.ts compares the two readers.
 */
import {
  type LineCounter,
  Pair,
  type ParsedNode,
  parseDocument,
  Scalar,
  YAMLMap,
  YAMLSeq,
} from "yaml";

/** The deepest nesting the fast reader follows; deeper text goes to the library. */
const MAX_FAST_DEPTH = 16;

/** A plain word as manifests write keys and values (registry names, tags, digests, emails). */
const PLAIN = /^[A-Za-z0-9_.\/~][A-Za-z0-9_.\/@+-]*(?::[A-Za-z0-9_.\/@+-]+)*$/;

/** A plain word inside a flow list (no `:` there, to keep clear of flow pairs). */
const FLOW_PLAIN = /^[A-Za-z0-9_.\/][A-Za-z0-9_.\/@+-]*$/;

/** A plain word that the core schema may read as something else than a string. */
const MAYBE_TYPED = /^(?:[-+.0-9~]|(?:true|True|TRUE|false|False|FALSE|null|Null|NULL)$)/;

/** One line of the text: where it starts, its indentation and its content without comment. */
interface Line {
  /** Offset of the line's first character. */
  start: number;
  /** Number of leading spaces. */
  indent: number;
  /** The content after the indentation, with a trailing comment and spaces removed. */
  text: string;
  /** Offset just past the content (before trailing spaces and comment). */
  end: number;
  /** Offset of the end of the line (before its line break), trailing spaces included. */
  lineEnd: number;
}

/** Gave up: the text is outside the shape this reader follows. */
class NotSimple extends Error {}

/**
 * Reads `text` if it is made only of the simple shape and holds at most `maxValues` values;
 * returns its root node (null for a text holding nothing but blank and comment lines), or
 * undefined when the library must read it. Line starts are added to `lines` only when it
 * succeeds.
 */
export function readSimpleYaml(
  text: string,
  lines: LineCounter,
  maxValues: number,
): ParsedNode | null | undefined {
  if (text.includes("\t") || /\r(?!\n)/.test(text)) return undefined;
  const content: Line[] = [];
  const starts: number[] = [0];
  try {
    for (let start = 0; start < text.length;) {
      let nl = text.indexOf("\n", start);
      if (nl < 0) nl = text.length;
      else starts.push(nl + 1);
      const lineEnd = text[nl - 1] === "\r" ? nl - 1 : nl;
      const line = splitLine(text, start, lineEnd);
      if (line) content.push(line);
      start = nl + 1;
    }
    const reader = new Reader(content, new Budget(maxValues));
    const root = content.length === 0 ? null : reader.root();
    for (const s of starts) lines.addNewLine(s);
    return root;
  } catch (e) {
    if (e instanceof NotSimple) return undefined;
    throw e;
  }
}

/** A content line, or null for a blank or comment line; throws NotSimple for anything odd. */
function splitLine(text: string, start: number, lineEnd: number): Line | null {
  let i = start;
  while (i < lineEnd && text.charCodeAt(i) === 32) i++;
  if (i === lineEnd || text[i] === "#") return null;
  let end = lineEnd;
  // A comment starts at " #" outside quotes; quotes hold no '#' in this shape.
  const raw = text.slice(i, lineEnd);
  const hash = raw.indexOf(" #");
  if (hash >= 0) end = i + hash;
  if (raw.slice(0, hash >= 0 ? hash : raw.length).includes("#")) throw new NotSimple();
  while (end > i && text.charCodeAt(end - 1) === 32) end--;
  const body = text.slice(i, end);
  if (body === "---" || body === "..." || body.startsWith("--- ")) throw new NotSimple();
  return { start, indent: i - start, text: body, end, lineEnd };
}

/** Counts the values built, giving up beyond the most allowed. */
class Budget {
  #left: number;

  constructor(max: number) {
    this.#left = max;
  }

  /** Counts one value. */
  take(): void {
    if (--this.#left < 0) throw new NotSimple();
  }
}

/** Builds nodes from the content lines, block by block. */
class Reader {
  #i = 0;

  constructor(readonly lines: Line[], readonly budget: Budget) {}

  /** The document's root: one block node at indentation 0 (or a lone flow list or map). */
  root(): ParsedNode {
    const first = this.lines[0]!;
    if (first.indent !== 0) throw new NotSimple();
    let node: ParsedNode;
    if (isFlow(first.text) && this.lines.length === 1) {
      this.#i = 1;
      node = flow(first.text, lineOffset(first), this.budget);
    } else {
      node = this.#block(0, 0);
    }
    if (this.#i !== this.lines.length) throw new NotSimple();
    return node;
  }

  /** A block map or list whose lines start at `indent`. */
  #block(indent: number, depth: number): ParsedNode {
    if (depth > MAX_FAST_DEPTH) throw new NotSimple();
    const line = this.lines[this.#i];
    if (!line || line.indent !== indent) throw new NotSimple();
    return isDash(line.text) ? this.#seq(indent, depth) : this.#map(indent, depth);
  }

  /** A block list: `- item` lines at `indent`. */
  #seq(indent: number, depth: number): ParsedNode {
    this.budget.take();
    const seq = new YAMLSeq<ParsedNode>();
    const start = lineOffset(this.lines[this.#i]!);
    let end = start;
    for (let line = this.lines[this.#i]; line && line.indent === indent && isDash(line.text);) {
      if (line.text === "-") throw new NotSimple();
      const itemStart = lineOffset(line) + 2;
      const rest = line.text.slice(2);
      if (rest.startsWith(" ")) throw new NotSimple();
      let item: ParsedNode;
      if (keyOf(rest) !== null) {
        // `- key: value` opens a map whose keys stand at indent + 2.
        const inner = { ...line, indent: indent + 2, text: rest };
        this.lines[this.#i] = inner;
        item = this.#map(indent + 2, depth + 1);
      } else {
        item = inlineValue(rest, itemStart, line.end, this.budget);
        this.#i++;
      }
      seq.items.push(item);
      end = item.range![2];
      line = this.lines[this.#i];
    }
    seq.range = [start, end, end];
    return seq as YAMLSeq.Parsed;
  }

  /** A block map: `key: value` lines at `indent`. */
  #map(indent: number, depth: number): ParsedNode {
    this.budget.take();
    const map = new YAMLMap<ParsedNode, ParsedNode>();
    const start = lineOffset(this.lines[this.#i]!);
    let end = start;
    for (let line = this.lines[this.#i]; line && line.indent === indent;) {
      const at = lineOffset(line);
      const k = keyOf(line.text);
      if (k === null) throw new NotSimple();
      const key = scalarAt(k.key, at, at + k.key.length, this.budget);
      const rest = line.text.slice(k.key.length + 1).trimStart();
      let value: ParsedNode;
      this.#i++;
      if (rest !== "") {
        value = inlineValue(rest, line.end - rest.length, line.end, this.budget);
      } else {
        const next = this.lines[this.#i];
        if (next && next.indent > indent) {
          value = this.#block(next.indent, depth + 1);
        } else if (next && next.indent === indent && isDash(next.text)) {
          value = this.#seq(indent, depth + 1);
        } else {
          // Nothing written: a null where the line's text ends (trailing spaces included).
          const nullAt = Math.max(at + k.key.length + 1, line.lineEnd);
          this.budget.take();
          value = new Scalar(null) as Scalar<unknown> as ParsedNode;
          Object.assign(value, { type: "PLAIN", source: "", range: [nullAt, nullAt, nullAt] });
        }
      }
      map.items.push(new Pair(key, value));
      end = value.range![2];
      line = this.lines[this.#i];
      if (line && line.indent > indent) throw new NotSimple();
    }
    map.range = [start, end, end];
    return map as YAMLMap.Parsed;
  }
}

/** The offset where a line's content starts. */
function lineOffset(line: Line): number {
  return line.start + line.indent;
}

/** Whether a line's content is a block list item. */
function isDash(text: string): boolean {
  return text === "-" || text.startsWith("- ");
}

/** Whether a value is a flow list or map. */
function isFlow(text: string): boolean {
  return text.startsWith("[") || text.startsWith("{");
}

/** The key of a `key: value` or `key:` line (a plain word or a quoted string), or null. */
function keyOf(text: string): { key: string } | null {
  let key: string;
  if (text[0] === '"' || text[0] === "'") {
    const close = text.indexOf(text[0], 1);
    if (close < 0) return null;
    key = text.slice(0, close + 1);
  } else {
    const colon = text.indexOf(": ");
    key = colon >= 0 ? text.slice(0, colon) : text.endsWith(":") ? text.slice(0, -1) : "";
    if (!PLAIN.test(key)) return null;
  }
  const after = text.slice(key.length);
  if (after !== ":" && !after.startsWith(": ")) return null;
  return { key };
}

/** A value written on the key's or dash's line: a flow collection or a scalar. */
function inlineValue(text: string, start: number, end: number, budget: Budget): ParsedNode {
  if (isFlow(text)) return flow(text, start, budget);
  if (text[0] !== '"' && text[0] !== "'" && !PLAIN.test(text)) throw new NotSimple();
  return scalarAt(text, start, end, budget);
}

/** A one-line flow list of scalars, or an empty flow map or list. */
function flow(text: string, start: number, budget: Budget): ParsedNode {
  budget.take();
  const end = start + text.length;
  if (text === "{}") {
    const map = new YAMLMap<ParsedNode, ParsedNode>();
    map.flow = true;
    map.range = [start, end, end];
    return map as YAMLMap.Parsed;
  }
  if (!text.startsWith("[") || !text.endsWith("]")) throw new NotSimple();
  const seq = new YAMLSeq<ParsedNode>();
  seq.flow = true;
  seq.range = [start, end, end];
  const inner = text.slice(1, -1);
  if (inner.trim() === "") return seq as YAMLSeq.Parsed;
  let offset = start + 1;
  for (const part of inner.split(",")) {
    const lead = part.length - part.trimStart().length;
    const item = part.trim();
    if (item === "") throw new NotSimple();
    const quoted = item[0] === '"' || item[0] === "'";
    if (!quoted && !FLOW_PLAIN.test(item)) throw new NotSimple();
    const at = offset + lead;
    seq.items.push(scalarAt(item, at, at + item.length, budget));
    offset += part.length + 1;
  }
  return seq as YAMLSeq.Parsed;
}

/** A scalar written as `text` at `start`: quoted without escapes, or a plain word. */
function scalarAt(text: string, start: number, end: number, budget: Budget): ParsedNode {
  budget.take();
  let node: Scalar;
  const q = text[0];
  if (q === '"' || q === "'") {
    const inner = text.slice(1, -1);
    if (text.length < 2 || text.at(-1) !== q || inner.includes(q) || inner.includes("\\")) {
      throw new NotSimple();
    }
    node = new Scalar(inner);
    node.type = q === '"' ? "QUOTE_DOUBLE" : "QUOTE_SINGLE";
    node.source = inner;
  } else {
    node = new Scalar(MAYBE_TYPED.test(text) ? resolvePlain(text) : text);
    node.type = "PLAIN";
    node.source = text;
  }
  node.range = [start, end, end];
  return node as ParsedNode;
}

/** What the library's core schema reads a plain word as (a number, a boolean, null, a string). */
function resolvePlain(text: string): unknown {
  const doc = parseDocument(text);
  const contents = doc.contents;
  if (doc.errors.length > 0 || !(contents instanceof Scalar)) throw new NotSimple();
  return contents.value;
}
