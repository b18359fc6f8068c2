/** Validation of an `images` list: image names, digests and tags (pure). */
import {
  isDigest,
  isRepository,
  isTag,
  joinRepository,
  MAX_REPOSITORY_LENGTH,
} from "../registry/reference.ts";
import { show } from "./problems.ts";
import { readEntries, readFields } from "./strict_map.ts";
import type { DigestSpec, ImageSpec, Position } from "./types.ts";
import type { YamlFile, YamlNode } from "./yaml_reader.ts";

/** The fields an image entry may have. */
export const IMAGE_FIELDS = ["name", "dmap"] as const;

/** What a valid image name looks like, for messages. */
export const IMAGE_NAME_RULE = "lowercase letters and digits, with . _ __ or - between them " +
  "and / between path components, at most 255 characters";

/** What a valid digest looks like, for messages. */
export const DIGEST_RULE = "sha256: followed by 64 lowercase hex digits";

/** What a valid tag looks like, for messages. */
export const TAG_RULE = "a letter, digit or _ followed by up to 127 letters, digits, _ . or -";

/** A registry's path prefix, against which image paths are checked. */
export interface PathPrefix {
  registry: string;
  prefix: string;
}

/**
 * Reads and validates an images list at `node` (`missingAt` is where to report a missing list;
 * an empty list is allowed). Image names must stay valid repository paths below every prefix
 * in `prefixes`. Reports every problem; returns the images that are valid.
 */
export function parseImages(
  y: YamlFile,
  node: YamlNode,
  missingAt: Position,
  prefixes: readonly PathPrefix[] = [],
): ImageSpec[] {
  const field = "images";
  if (node === null) {
    y.error(
      missingAt,
      field,
      "'images' field must be set (expected a list of images, [] for none)",
    );
    return [];
  }
  const list = y.seq(node, field, "a list of images");
  if (!list) return [];
  const valid: ImageSpec[] = [];
  const names = new Map<string, Position>();
  list.items.forEach((item, i) => {
    const image = parseImage(y, item, `${field}[${i}]`, prefixes);
    if (!image) return;
    const first = names.get(image.name);
    if (first) {
      y.error(
        image.pos,
        `${field}[${i}].name`,
        `image ${show(image.name)} is listed twice (first at line ${first.line}); ` +
          "merge its digests into one entry",
      );
      return;
    }
    names.set(image.name, image.pos);
    valid.push(image);
  });
  return valid;
}

/** One image entry; null when it has problems (all reported). */
function parseImage(
  y: YamlFile,
  node: YamlNode,
  field: string,
  prefixes: readonly PathPrefix[],
): ImageSpec | null {
  const map = y.map(node, field, "an image (a map with name and dmap)");
  if (!map) return null;
  const fields = readFields(y, map, field, IMAGE_FIELDS);
  let ok = true;
  let name: string | null = null;
  let namePos = y.pos(map);
  const nameField = fields.get("name");
  if (!nameField) {
    y.error(map, field, "'name' field cannot be empty (expected an image name such as foo/bar)");
    ok = false;
  } else {
    namePos = y.pos(nameField.value, nameField.pos);
    name = y.string(nameField.value, nameField.field, "an image name (a string)");
    if (name === "") {
      y.error(
        namePos,
        field,
        "'name' field cannot be empty (expected an image name such as foo/bar)",
      );
      name = null;
    } else if (name !== null && !isRepository(name)) {
      y.error(
        namePos,
        nameField.field,
        `invalid image name: ${show(name)} (expected ${IMAGE_NAME_RULE})`,
      );
      name = null;
    }
    if (name !== null && !pathsFit(y, name, namePos, nameField.field, prefixes)) name = null;
    if (name === null) ok = false;
  }
  const dmapField = fields.get("dmap");
  let digests: DigestSpec[] | null = null;
  if (!dmapField) {
    y.error(
      map,
      field,
      "'dmap' field cannot be empty (expected a map of digests to lists of tags)",
    );
  } else {
    digests = parseDmap(y, dmapField.value, dmapField.field, field);
  }
  if (!ok || name === null || digests === null) return null;
  return { name, digests, pos: namePos };
}

/** The dmap of one image: digests to tags. Null when it has problems (all reported). */
function parseDmap(
  y: YamlFile,
  node: YamlNode,
  field: string,
  imageField: string,
): DigestSpec[] | null {
  const map = y.map(node, field, "a map of digests to lists of tags");
  if (!map) return null;
  if (map.items.length === 0) {
    y.error(
      map,
      imageField,
      "'dmap' field cannot be empty (expected a map of digests to lists of tags)",
    );
    return null;
  }
  let ok = true;
  const entries = readEntries(
    y,
    map,
    field,
    (key, first) =>
      `digest ${show(key)} is listed twice in this dmap (first at line ${first.line}); ` +
      "list each digest once",
  );
  if (entries.length !== map.items.length) ok = false;
  const tagOwners = new Map<string, { digest: string; pos: Position }>();
  const digests: DigestSpec[] = [];
  for (const entry of entries) {
    if (!isDigest(entry.key)) {
      y.error(
        entry.pos,
        entry.field,
        `invalid digest: ${show(entry.key)} (expected ${DIGEST_RULE})`,
      );
      ok = false;
    }
    const list = y.seq(entry.value, entry.field, "a list of tags ([] for none)");
    if (!list) {
      ok = false;
      continue;
    }
    const spec: DigestSpec = { digest: entry.key, tags: [], pos: entry.pos, tagPos: [] };
    list.items.forEach((item, j) => {
      const tagField = `${entry.field}[${j}]`;
      const tag = y.string(item, tagField, "a tag (a string)");
      const pos = y.pos(item, y.pos(list));
      if (tag === null) {
        ok = false;
      } else if (!isTag(tag)) {
        y.error(pos, tagField, `invalid tag: ${show(tag)} (expected ${TAG_RULE})`);
        ok = false;
      } else if (spec.tags.includes(tag)) {
        const first = spec.tagPos[spec.tags.indexOf(tag)]!;
        y.error(
          pos,
          tagField,
          `tag ${tag} is listed twice for this digest (first at line ${first.line}:${first.col})`,
        );
        ok = false;
      } else {
        const owner = tagOwners.get(tag);
        if (owner && owner.digest !== entry.key) {
          y.error(
            pos,
            tagField,
            `tag ${tag} is already given to ${show(owner.digest)} at line ${owner.pos.line}; ` +
              "a tag names one digest of an image",
          );
          ok = false;
        } else {
          tagOwners.set(tag, { digest: entry.key, pos });
        }
        spec.tags.push(tag);
        spec.tagPos.push(pos);
      }
    });
    digests.push(spec);
  }
  return ok ? digests : null;
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
