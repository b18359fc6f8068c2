/**
 * Validation of an `images` list: image names, digests and tags (pure).
 *
 * An image may be listed in several entries of one file; they are merged (the union of their
 * digests, and of the tags of a digest listed in more than one), as the original promoter
 * promoted every entry. A problem stays with what it concerns: a bad digest or tag leaves out
 * that digest of the image, a bad entry (no name, an unknown field, a dmap that is not a map)
 * leaves out every entry of that image in the file, and the file itself stays usable. Every
 * problem is reported; what is left out is recorded as a skipped part.
 */
import {
  isDigest,
  isRepository,
  isTag,
  joinRepository,
  MAX_REPOSITORY_LENGTH,
} from "../registry/mod.ts";
import type { ManifestError } from "./errors.ts";
import { show } from "./problems.ts";
import { readEntries, readFields } from "./strict_map.ts";
import type { DigestSpec, ImageSpec, Position } from "./types.ts";
import { isNothing, type YamlFile, type YamlNode } from "./yaml_reader.ts";

/** The fields an image entry may have. */
const IMAGE_FIELDS = ["name", "dmap"] as const;

/** What a valid image name looks like, for messages. */
const IMAGE_NAME_RULE = "lowercase letters and digits, with . _ __ or - between them " +
  "and / between path components, at most 255 characters";

/** What a valid digest looks like, for messages. */
const DIGEST_RULE = "sha256: followed by 64 lowercase hex digits";

/** What a valid tag looks like, for messages. */
const TAG_RULE = "a letter, digit or _ followed by up to 127 letters, digits, _ . or -";

/** A registry's path prefix, against which image paths are checked. */
export interface PathPrefix {
  registry: string;
  prefix: string;
}

/** How an images list is read. */
export interface ImageRules {
  /**
   * A thin images.yaml: an image without digests (`dmap:` with no value, `{}`, or no dmap)
   * is accepted as promoting nothing, as the original did there. Plain manifests refuse it.
   */
  thin: boolean;
  /** Image names must stay valid repository paths below each of these prefixes. */
  prefixes: readonly PathPrefix[];
}

/** A tag as written: its text, place and field path. */
interface TagAt {
  tag: string;
  pos: Position;
  field: string;
}

/** A digest of one entry as written, and whether a problem leaves it out. */
interface EntryDigest {
  digest: string;
  pos: Position;
  field: string;
  tags: TagAt[];
  bad: boolean;
  /** How many problems were found in it (counted when they were found). */
  problemCount: number;
  /** The problems that leave it out (those kept). */
  problems: ManifestError[];
}

/** One entry of the list as written: its name (null when unusable) and digests. */
interface Entry {
  name: string | null;
  pos: Position;
  field: string;
  digests: EntryDigest[];
  /** Whether the entry itself (not only one digest of it) has a problem: the image is left out. */
  bad: boolean;
  /** The problems of the entry and its digests (those kept). */
  problems: ManifestError[];
}

/**
 * Reads and validates an images list at `node`; null only when `node` is not a list (a problem
 * of the whole file). Reports every problem and records every part left out in `problems`;
 * returns the images that remain, each with the digests that remain.
 */
export function parseImages(y: YamlFile, node: YamlNode, rules: ImageRules): ImageSpec[] | null {
  const field = "images";
  const list = y.seq(node, field, "a list of images");
  if (!list) return null;
  const numbers: TagAt[] = [];
  const entries = list.items.map((item, i) =>
    parseEntry(y, item, `${field}[${i}]`, rules, numbers)
  );
  if (numbers.length > 0) warnAboutNumbers(y, numbers);
  const images: ImageSpec[] = [];
  for (const [name, group] of Map.groupBy(entries, (e) => e.name ?? e)) {
    if (typeof name !== "string") {
      const entry = name;
      y.problems.skip({
        kind: "image",
        name: entry.field,
        pos: entry.pos,
        problems: entry.problems,
      });
      continue;
    }
    const image = mergeImage(y, name, group);
    if (image) images.push(image);
  }
  return images;
}

/** Merges the entries of one image; null when an entry's problem leaves the image out. */
function mergeImage(y: YamlFile, name: string, group: Entry[]): ImageSpec | null {
  const first = group[0]!;
  const bad = group.find((e) => e.bad);
  if (bad) {
    const problems = group.flatMap((e) => e.problems);
    y.problems.skip({ kind: "image", name, pos: bad.pos, problems });
    return null;
  }
  if (group.length > 1) {
    y.problems.note(
      first.pos,
      first.field,
      `image ${show(name)} is listed in ${group.length} entries (lines ` +
        `${group.map((e) => e.pos.line).join(", ")}); their digests are merged`,
    );
  }
  const byDigest = Map.groupBy(group.flatMap((e) => e.digests), (d) => d.digest);
  findTagConflicts(y, byDigest);
  const digests: DigestSpec[] = [];
  for (const [digest, parts] of byDigest) {
    if (parts.some((p) => p.bad)) {
      const problems = [...new Set(parts.flatMap((p) => p.problems))];
      y.problems.skip({ kind: "digest", name: `${name}@${digest}`, pos: parts[0]!.pos, problems });
      continue;
    }
    const spec: DigestSpec = {
      digest,
      tags: [],
      pos: parts[0]!.pos,
      field: parts[0]!.field,
      tagPos: [],
      tagFields: [],
    };
    for (const t of parts.flatMap((p) => p.tags)) {
      if (spec.tags.includes(t.tag)) continue;
      spec.tags.push(t.tag);
      spec.tagPos.push(t.pos);
      spec.tagFields.push(t.field);
    }
    digests.push(spec);
  }
  return { name, digests, pos: first.pos };
}

/**
 * Reports a tag given to two digests of one image (in one entry or across entries) and marks
 * both digests bad: which of them the tag was meant for is unclear.
 */
function findTagConflicts(y: YamlFile, byDigest: Map<string, EntryDigest[]>): void {
  const owners = new Map<string, { parts: EntryDigest[]; at: TagAt }>();
  for (const parts of byDigest.values()) {
    for (const t of parts.flatMap((p) => p.tags)) {
      const owner = owners.get(t.tag);
      if (!owner) owners.set(t.tag, { parts, at: t });
      if (!owner || owner.parts === parts) continue;
      const problem = y.error(
        t.pos,
        t.field,
        `tag ${show(t.tag)} is already given to ${show(owner.parts[0]!.digest)} at line ` +
          `${owner.at.pos.line}; a tag names one digest of an image`,
      );
      for (const p of [...parts, ...owner.parts]) {
        p.bad = true;
        if (problem) p.problems.push(problem);
      }
    }
  }
}

/** One entry of the list, with every problem in it reported and kept with the entry or digest. */
function parseEntry(
  y: YamlFile,
  node: YamlNode,
  field: string,
  rules: ImageRules,
  numbers: TagAt[],
): Entry {
  const mark = y.problems.mark();
  const entry: Entry = {
    name: null,
    pos: y.pos(node),
    field,
    digests: [],
    bad: false,
    problems: [],
  };
  const map = y.map(node, field, "an image (a map with name and dmap)");
  if (map) {
    const fields = readFields(y, map, field, IMAGE_FIELDS);
    const nameField = fields.get("name");
    if (!nameField) {
      y.error(map, field, "'name' field cannot be empty (expected an image name such as foo/bar)");
    } else {
      entry.pos = y.pos(nameField.value, nameField.pos);
      entry.name = parseName(y, nameField.value, nameField.field, entry.pos, rules.prefixes);
    }
    const dmapField = fields.get("dmap");
    if (!dmapField || isNothing(dmapField.value)) {
      // The original read an image without digests as promoting nothing in thin files.
      if (!rules.thin) {
        y.error(dmapField ? y.pos(dmapField.value, dmapField.pos) : map, field, EMPTY_DMAP);
      } else if (!dmapField && entry.name !== null) {
        y.problems.warn(
          entry.pos,
          field,
          `image ${show(entry.name)} has no dmap: it promotes nothing`,
        );
      }
    } else {
      entry.digests = parseDmap(y, dmapField.value, dmapField.field, field, rules, numbers);
    }
  }
  // Problems not counted by a digest are the entry's own: the whole image is left out.
  const ofDigests = entry.digests.reduce((n, d) => n + d.problemCount, 0);
  entry.bad = y.problems.count - mark > ofDigests;
  entry.problems = y.problems.since(mark);
  return entry;
}

/** The message for a missing or empty dmap where one is required. */
const EMPTY_DMAP = "'dmap' field cannot be empty (expected a map of digests to lists of tags)";

/** The image name of an entry; null when it is not usable (reported). */
function parseName(
  y: YamlFile,
  node: YamlNode,
  field: string,
  pos: Position,
  prefixes: readonly PathPrefix[],
): string | null {
  const name = y.text(node, field, "an image name (a string)")?.text ?? null;
  if (name === null) return null;
  if (name === "") {
    y.error(pos, field, "'name' field cannot be empty (expected an image name such as foo/bar)");
    return null;
  }
  if (!isRepository(name)) {
    y.error(pos, field, `invalid image name: ${show(name)} (expected ${IMAGE_NAME_RULE})`);
    return null;
  }
  return pathsFit(y, name, pos, field, prefixes) ? name : null;
}

/** The digests of one dmap, each with its own problems (problems of the whole dmap reported). */
function parseDmap(
  y: YamlFile,
  node: YamlNode,
  field: string,
  imageField: string,
  rules: ImageRules,
  numbers: TagAt[],
): EntryDigest[] {
  const map = y.map(node, field, "a map of digests to lists of tags");
  if (!map) return [];
  if (map.items.length === 0 && !rules.thin) {
    y.error(map, imageField, EMPTY_DMAP);
    return [];
  }
  // A digest written twice in one dmap is left out as a whole: which tags were meant is unclear.
  const repeats = new Map<string, ManifestError[]>();
  const entries = readEntries(
    y,
    map,
    field,
    (key, first) =>
      `digest ${show(key)} is listed twice in this dmap (first at line ${first.line}); ` +
      "list each digest once",
    repeats,
  );
  return entries.map((entry) => {
    const mark = y.problems.mark();
    const d: EntryDigest = {
      digest: entry.key,
      pos: entry.pos,
      field: entry.field,
      tags: [],
      bad: false,
      problemCount: 0,
      problems: [],
    };
    if (!isDigest(entry.key)) {
      y.error(
        entry.pos,
        entry.field,
        `invalid digest: ${show(entry.key)} (expected ${DIGEST_RULE})`,
      );
    }
    const list = y.seq(entry.value, entry.field, "a list of tags ([] for none)");
    list?.items.forEach((item, j) => {
      const t = parseTag(y, item, `${entry.field}[${j}]`, y.pos(item, y.pos(list)), d.tags);
      if (!t) return;
      if (t.typed) numbers.push(t);
      d.tags.push(t);
    });
    const repeated = repeats.get(entry.key);
    d.problemCount = y.problems.count - mark + (repeated?.length ?? 0);
    d.bad = d.problemCount > 0 || repeated !== undefined;
    d.problems = [...repeated ?? [], ...y.problems.since(mark)];
    return d;
  });
}

/** One tag of a digest's list; null when it is not usable (reported) or listed already (warned). */
function parseTag(
  y: YamlFile,
  item: YamlNode,
  field: string,
  pos: Position,
  earlier: readonly TagAt[],
): (TagAt & { typed: boolean }) | null {
  const read = y.text(item, field, "a tag (a string)");
  if (read === null) return null;
  if (!isTag(read.text)) {
    y.error(pos, field, `invalid tag: ${show(read.text)} (expected ${TAG_RULE})`);
    return null;
  }
  const twice = earlier.find((o) => o.tag === read.text);
  if (twice) {
    y.problems.warn(
      pos,
      field,
      `tag ${show(read.text)} is listed twice for this digest (first at line ` +
        `${twice.pos.line}:${twice.pos.col}); it is read once`,
    );
    return null;
  }
  return { tag: read.text, pos, field, typed: read.typed };
}

/** One warning per file for tags written as numbers or booleans: they are read as written. */
function warnAboutNumbers(y: YamlFile, numbers: TagAt[]): void {
  const first = numbers[0]!;
  const more = numbers.length - 1;
  y.problems.warn(
    first.pos,
    first.field,
    `tag ${first.tag} is written without quotes, so YAML reads it as a number or a boolean; ` +
      `it is read as written (${first.tag})` +
      (more > 0 ? `, and so are ${more} more such tags in this file` : "") +
      `; write it in quotes ("${first.tag}") so that every YAML reader agrees`,
  );
}

/** Whether the image's path stays valid below the longest registry prefix (else reports). */
function pathsFit(
  y: YamlFile,
  name: string,
  pos: Position,
  field: string,
  prefixes: readonly PathPrefix[],
): boolean {
  let longest: PathPrefix | null = null;
  for (const p of prefixes) {
    if (!longest || p.prefix.length > longest.prefix.length) longest = p;
  }
  if (!longest) return true;
  const path = joinRepository(longest.prefix, name);
  if (isRepository(path)) return true;
  y.error(
    pos,
    field,
    `image path ${show(path)} in registry ${show(longest.registry)} is ${path.length} ` +
      `characters long; a repository path may have at most ${MAX_REPOSITORY_LENGTH}`,
  );
  return false;
}
