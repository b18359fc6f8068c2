/**
 * Reads one YAML document strictly and hands out its nodes with positions (pure).
 *
 * Hostile input is stopped before the YAML library builds anything large: text nested too
 * deep or holding too many values is refused (yaml_limits.ts). Aliases are refused wherever
 * they appear (so alias bombs cannot expand), tags the core schema does not know are errors,
 * and a file holding several documents, or none, is an error.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type ParsedNode,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import type { ManifestError } from "./errors.ts";
import { type Problems, quote, show } from "./problems.ts";
import { readSimpleYaml } from "./yaml_fast.ts";
import { checkYamlLimits, MAX_YAML_VALUES } from "./yaml_limits.ts";
import type { Position } from "./types.ts";

/** The most YAML syntax errors reported per file; a garbage file would produce thousands. */
const MAX_SYNTAX_ERRORS = 20;

/** A parsed YAML node as the library gives it, or null where no value is written. */
export type YamlNode = ParsedNode | null;

/** Anything with a source range: a node, a map or list of any item type. */
export type Located = { range?: readonly number[] | null } | null;

/**
 * Parses `text` as one YAML document; reports problems and returns null if it is not one. A
 * file that holds nothing (no document, only comments, an empty document or a lone null) gives
 * a YamlFile whose root is null: whether that is allowed is the caller's to say.
 */
export function readYamlDocument(
  text: string,
  file: string,
  problems: Problems,
): YamlFile | null {
  const lines = new LineCounter();
  // Text in the plain shape real manifests have is read without the library (yaml_fast.ts).
  const simple = readSimpleYaml(text, lines, MAX_YAML_VALUES);
  if (simple !== undefined) {
    const yf = new YamlFile(file, lines, problems);
    yf.root = simple;
    return yf;
  }
  const breach = checkYamlLimits(text);
  if (breach) {
    const { line, col } = positionOf(text, breach.offset);
    problems.add({ file, line, col }, "", breach.detail);
    return null;
  }
  // uniqueKeys is off because the library compares every key with every other one (quadratic
  // in the size of a map); strict_map.ts finds duplicate keys itself, with their field paths.
  // The document is never turned into plain JavaScript values (toJS), so no alias is ever
  // expanded and maxAliasCount does not come into play; the walkers refuse every alias.
  const docs = parseAllDocuments(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: false,
    keepSourceTokens: false,
  });
  const yf = new YamlFile(file, lines, problems);
  const doc = docs[0];
  if (!doc) return yf;
  // Warnings (such as tags the core schema does not know) are errors here, like the rest.
  const syntax = docs.flatMap((d) => [...d.errors, ...d.warnings]);
  syntax.slice(0, MAX_SYNTAX_ERRORS).forEach((e) => {
    const kind = e.name === "YAMLWarning" ? "invalid YAML" : "YAML syntax error";
    problems.add(yf.posAt(e.pos[0]), "", `${kind}: ${e.message}`);
  });
  if (syntax.length > MAX_SYNTAX_ERRORS) problems.addUncounted(syntax.length - MAX_SYNTAX_ERRORS);
  // Empty documents after the first (a trailing `---`) hold nothing that could be ignored.
  const more = docs.slice(1).filter((d) => !isNothing(d.contents));
  if (more.length > 0) {
    problems.add(
      yf.posAt(more[0]!.range[0]),
      "",
      `the file holds ${more.length + 1} YAML documents; a manifest file holds exactly one ` +
        "(a reader that takes only the first would ignore the rest)",
    );
  }
  if (syntax.length > 0 || more.length > 0) return null;
  if (!isNothing(doc.contents)) yf.root = doc.contents as ParsedNode;
  yf.start = doc.range[0];
  return yf;
}

/** Whether a node is nothing: no node, or a null (written as nothing, `~` or `null`). */
export function isNothing(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

/** One parsed YAML file: its root node and the means to name positions and report problems. */
export class YamlFile {
  /** The document's root node; null when the file holds nothing. */
  root: YamlNode = null;
  /** The offset where the document starts, for messages about an empty one. */
  start = 0;

  /** Wraps the line index of `file`. */
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
    readonly problems: Problems,
  ) {}

  /** The position of a character offset. */
  posAt(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col };
  }

  /** The position of a node, or of `fallback` when there is no node. */
  pos(node: Located, fallback?: Position): Position {
    const start = node?.range?.[0];
    if (start !== undefined) return this.posAt(start);
    return fallback ?? { file: this.file, line: 0, col: 0 };
  }

  /** Reports a problem at a node; returns it (null when beyond the cap of problems kept). */
  error(node: Located | Position, field: string, detail: string): ManifestError | null {
    const pos = node !== null && "file" in node ? node : this.pos(node);
    return this.problems.add(pos, field, detail);
  }

  /** Returns the node as a map, or reports that a map (`what`) was expected and returns null. */
  map(node: YamlNode, field: string, what: string): YAMLMap<ParsedNode, YamlNode> | null {
    if (isMap(node)) return node as YAMLMap<ParsedNode, YamlNode>;
    this.#wrongType(node, field, what);
    return null;
  }

  /** Returns the node as a list, or reports that a list (`what`) was expected and returns null. */
  seq(node: YamlNode, field: string, what: string): YAMLSeq<YamlNode> | null {
    if (isSeq(node)) return node as YAMLSeq<YamlNode>;
    this.#wrongType(node, field, what);
    return null;
  }

  /** Returns the node's string, or reports that a string (`what`) was expected and returns null. */
  string(node: YamlNode, field: string, what: string): string | null {
    if (isScalar(node) && typeof node.value === "string") return node.value;
    this.#wrongType(node, field, what);
    return null;
  }

  /**
   * The text of a scalar as a string field reads it: a string's value, and for a plain scalar
   * that YAML would read as a number or a boolean (`1.10`, `true`) the text as written, never
   * the number (`1.10` stays `1.10`), as the original promoter's decoder did. `typed` says it was
   * such a scalar. Reports that a string (`what`) was expected and returns null for anything
   * else (null, a list, a map, binary data).
   */
  text(node: YamlNode, field: string, what: string): { text: string; typed: boolean } | null {
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === "string") return { text: v, typed: false };
      const typed = typeof v === "number" || typeof v === "bigint" || typeof v === "boolean";
      if (typed && node.type === "PLAIN" && typeof node.source === "string") {
        return { text: node.source, typed: true };
      }
    }
    this.#wrongType(node, field, what);
    return null;
  }

  /** Returns the node's boolean, or reports that true or false was expected and returns null. */
  boolean(node: YamlNode, field: string): boolean | null {
    if (isScalar(node) && typeof node.value === "boolean") return node.value;
    this.#wrongType(node, field, "true or false");
    return null;
  }

  #wrongType(node: YamlNode, field: string, what: string): void {
    if (isAlias(node)) {
      this.error(node, field, aliasMessage(node.source));
      return;
    }
    let hint = "";
    if (isScalar(node) && typeof node.value === "number" && what.includes("string")) {
      hint = `; write it in quotes: "${node.source ?? String(node.value)}"`;
    }
    this.error(node, field, `expected ${what}, got ${describeNode(node)}${hint}`);
  }
}

/** The message for an alias, wherever it stands. */
export function aliasMessage(name: string): string {
  return `YAML aliases (*${show(name)}) are not allowed in manifests; write the value out`;
}

/** Says what a node is, for "expected X, got Y" messages. */
export function describeNode(node: YamlNode): string {
  if (node === null) return "nothing (null)";
  if (isMap(node)) return "a map";
  if (isSeq(node)) return "a list";
  if (isAlias(node)) return `an alias (*${show(node.source)})`;
  const value = (node as Scalar).value;
  if (value === null || value === undefined) return "nothing (null)";
  if (typeof value === "string") return `the string ${quote(value)}`;
  if (typeof value === "number" || typeof value === "bigint") {
    return `the number ${(node as Scalar).source ?? String(value)}`;
  }
  if (typeof value === "boolean") return `the boolean ${value}`;
  if (value instanceof Uint8Array) return "binary data";
  return "a value of another type";
}

/** The 1-based line and column of a character offset in text. */
function positionOf(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}
