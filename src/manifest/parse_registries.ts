/** Validation of a manifest's `registries` list (pure). */
import { isScalar } from "yaml";
import { parseRegistryName } from "../registry/mod.ts";
import { show } from "./problems.ts";
import { readFields } from "./strict_map.ts";
import type { Position, RegistrySpec } from "./types.ts";
import type { YamlFile, YamlNode } from "./yaml_reader.ts";

/** The fields a registry entry may have. */
const REGISTRY_FIELDS = ["name", "src", "service-account"] as const;

/** An email address as Google service accounts have them: local part, @, dotted domain. */
const EMAIL_RE = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$/;

/** Whether `s` looks like a service account's email address. */
function isServiceAccount(s: string): boolean {
  return s.length <= 254 && EMAIL_RE.test(s);
}

/**
 * Reads and validates the registries list at `node` (`missingAt` is where to report a missing
 * list). Reports every problem; returns the entries that are valid.
 */
export function parseRegistries(y: YamlFile, node: YamlNode, missingAt: Position): RegistrySpec[] {
  const field = "registries";
  if (node === null) {
    y.error(missingAt, field, "'registries' field cannot be empty (expected a list of registries)");
    return [];
  }
  const list = y.seq(node, field, "a list of registries");
  if (!list) return [];
  if (list.items.length === 0) {
    y.error(list, field, "'registries' field cannot be empty (expected a list of registries)");
    return [];
  }
  const valid: RegistrySpec[] = [];
  const names = new Map<string, RegistrySpec>();
  let source: RegistrySpec | null = null;
  let srcUnknown = false;
  let srcSeen = false;
  list.items.forEach((item, i) => {
    const r = parseRegistry(y, item, `${field}[${i}]`);
    if (r.src === null) srcUnknown = true;
    if (r.src === true) srcSeen = true;
    const spec = r.spec;
    if (!spec) return;
    const first = names.get(spec.name);
    if (first) {
      // The same entry written twice changes nothing; two entries that differ are ambiguous.
      if (first.src === spec.src && first.serviceAccount === spec.serviceAccount) {
        y.problems.warn(
          spec.pos,
          `${field}[${i}]`,
          `registry ${show(spec.name)} is listed twice (first at line ${first.pos.line}); ` +
            "the second entry is the same and is ignored",
        );
      } else {
        y.error(
          spec.pos,
          `${field}[${i}].name`,
          `registry ${show(spec.name)} is listed twice (first at line ${first.pos.line}) ` +
            "with a different src or service-account; list each registry once",
        );
      }
      return;
    }
    names.set(spec.name, spec);
    if (spec.src) {
      if (source) {
        y.error(
          spec.pos,
          `${field}[${i}].src`,
          `cannot have more than 1 source registry (${show(source.name)} at line ` +
            `${source.pos.line} is the source already)`,
        );
        return;
      }
      source = spec;
    }
    valid.push(spec);
  });
  if (!srcSeen && !srcUnknown) {
    y.error(list, field, "source registry must be set (mark exactly one registry with src: true)");
  }
  return valid;
}

/** One registry entry: the spec when it is valid, and its `src` (null when unreadable). */
function parseRegistry(
  y: YamlFile,
  node: YamlNode,
  field: string,
): { spec: RegistrySpec | null; src: boolean | null } {
  const map = y.map(node, field, "a registry (a map with name, src, service-account)");
  if (!map) return { spec: null, src: null };
  const fields = readFields(y, map, field, REGISTRY_FIELDS);
  let ok = true;
  const name = fields.get("name");
  let nameText: string | null = null;
  if (!name) {
    y.error(
      map,
      field,
      "'name' field cannot be empty (expected a registry such as gcr.io/project)",
    );
    ok = false;
  } else {
    nameText = y.string(name.value, name.field, "a registry name (a string)");
    if (nameText === "") {
      y.error(
        name.value ?? name.pos,
        field,
        "'name' field cannot be empty (expected a registry such as gcr.io/project)",
      );
    } else if (nameText !== null) {
      const parsed = parseRegistryName(nameText);
      if ("error" in parsed) {
        y.error(
          name.value,
          name.field,
          `invalid registry name: ${show(nameText)}: ${parsed.error}`,
        );
        nameText = null;
      }
    }
    if (!nameText) ok = false;
  }
  let src = false;
  let srcUnknown = false;
  const srcField = fields.get("src");
  if (srcField) {
    const b = readSrc(y, srcField.value, srcField.field);
    if (b === null) srcUnknown = true;
    else src = b;
  }
  let serviceAccount: string | undefined;
  const sa = fields.get("service-account");
  if (sa) {
    const text = y.string(sa.value, sa.field, "an email address (a string)");
    if (text === null) ok = false;
    else if (!isServiceAccount(text)) {
      y.error(
        sa.value,
        sa.field,
        `invalid service-account: ${show(text)} (expected an email address such as ` +
          "promoter@project.iam.gserviceaccount.com)",
      );
      ok = false;
    } else serviceAccount = text;
  }
  if (srcUnknown) return { spec: null, src: null };
  if (!ok || nameText === null) return { spec: null, src };
  const spec: RegistrySpec = { name: nameText, src, pos: y.pos(map) };
  if (serviceAccount !== undefined) spec.serviceAccount = serviceAccount;
  return { spec, src };
}

/**
 * The words YAML 1.1 reads as booleans, which the original promoter's decoder accepted for
 * `src` (YAML 1.2 reads them as strings).
 */
const YAML11_BOOLEANS = new Map<string, boolean>(
  [
    ..."y Y yes Yes YES on On ON".split(" ").map((w) => [w, true] as const),
    ..."n N no No NO off Off OFF".split(" ").map((w) => [w, false] as const),
  ],
);

/**
 * `src` as a boolean: true or false; a YAML 1.1 word (`yes`, `no`, `on`, `off`…) or nothing
 * (`src:` alone, read as false) with a warning, as the original read them. Reports anything
 * else (a quoted "true", a number) and returns null.
 */
function readSrc(y: YamlFile, node: YamlNode, field: string): boolean | null {
  if (isScalar(node) && node.type === "PLAIN") {
    const word = typeof node.value === "string" ? YAML11_BOOLEANS.get(node.value) : undefined;
    if (word !== undefined || node.value === null) {
      const value = word ?? false;
      y.problems.warn(
        y.pos(node),
        field,
        (node.value === null
          ? "an empty src is read as false"
          : `"${node.source}" is read as ${value} (a YAML 1.1 boolean)`) +
          `, as the original promoter read it; write src: ${value}`,
      );
      return value;
    }
  }
  return y.boolean(node, field);
}
