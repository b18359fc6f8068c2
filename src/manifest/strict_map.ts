/** Strict reading of YAML maps: string keys only, each key once, no unknown fields (pure). */
import { isAlias, isScalar, type ParsedNode, type YAMLMap } from "yaml";
import type { ManifestError } from "./errors.ts";
import { quote, show } from "./problems.ts";
import type { Position } from "./types.ts";
import { aliasMessage, describeNode, type YamlFile, type YamlNode } from "./yaml_reader.ts";

/** One key of a map with its value. */
export interface MapEntry {
  key: string;
  /** Where the key stands. */
  pos: Position;
  value: YamlNode;
  /** The field path of the value, e.g. `images[0].dmap."sha256:…"`. */
  field: string;
}

/** The field path of a key below `parent`: `parent.key`, quoted when the key is not a word. */
function childField(parent: string, key: string): string {
  const name = /^[A-Za-z_][\w-]*$/.test(key) ? key : quote(key);
  return parent === "" ? name : `${parent}.${name}`;
}

/**
 * The entries of a map in order. Keys that are not strings are reported; a key written twice
 * is reported at its second place with `duplicate(key, first)` and left out (the problem is
 * added to `repeats` under the key when given).
 */
export function readEntries(
  y: YamlFile,
  map: YAMLMap<ParsedNode, YamlNode>,
  field: string,
  duplicate: (key: string, first: Position) => string,
  repeats?: Map<string, ManifestError[]>,
): MapEntry[] {
  const seen = new Map<string, Position>();
  const entries: MapEntry[] = [];
  for (const pair of map.items) {
    const keyNode = pair.key as YamlNode;
    const pos = y.pos(keyNode, y.pos(map));
    if (isAlias(keyNode)) {
      y.error(pos, field, aliasMessage(keyNode.source));
      continue;
    }
    if (!isScalar(keyNode) || typeof keyNode.value !== "string") {
      y.error(pos, field, `expected a key that is a string, got ${describeNode(keyNode)}`);
      continue;
    }
    const key = keyNode.value;
    const first = seen.get(key);
    if (first) {
      const problem = y.error(pos, field, duplicate(key, first));
      if (repeats) repeats.set(key, [...repeats.get(key) ?? [], ...problem ? [problem] : []]);
      continue;
    }
    seen.set(key, pos);
    entries.push({ key, pos, value: pair.value ?? null, field: childField(field, key) });
  }
  return entries;
}

/**
 * The fields of a map that describes a record: known keys only, each once. Unknown keys are
 * reported (with `unknownHint` added when given); returns the known fields by name.
 */
export function readFields(
  y: YamlFile,
  map: YAMLMap<ParsedNode, YamlNode>,
  field: string,
  known: readonly string[],
  unknownHint?: (key: string) => string | undefined,
): Map<string, MapEntry> {
  const fields = new Map<string, MapEntry>();
  const entries = readEntries(
    y,
    map,
    field,
    (key, first) =>
      `field "${show(key)}" is written twice (first at line ${first.line}); write it once`,
  );
  for (const entry of entries) {
    if (!known.includes(entry.key)) {
      const hint = unknownHint?.(entry.key) ?? `expected only ${known.join(", ")}`;
      y.error(entry.pos, field, `unknown field "${show(entry.key)}"; ${hint}`);
      continue;
    }
    fields.set(entry.key, entry);
  }
  return fields;
}
