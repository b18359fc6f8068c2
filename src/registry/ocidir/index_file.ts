/** A layout's `index.json` and `oci-layout` files as data: parsing, tags, adding entries (pure). */
import { RegistryError } from "../errors.ts";
import { isDigest, isTag } from "../reference.ts";
import { OCI_INDEX } from "./manifest.ts";

/** The annotation naming a tag on an `index.json` entry. */
export const REF_NAME = "org.opencontainers.image.ref.name";

/** The `oci-layout` file this backend writes. */
export const OCI_LAYOUT_TEXT = '{"imageLayoutVersion":"1.0.0"}';

/** One entry of `index.json`: a manifest descriptor, its tag if it names one, the raw JSON. */
export interface IndexEntry {
  mediaType: string;
  digest: string;
  size: number;
  /** The `ref.name` annotation when it is a valid tag; other entries count as untagged. */
  tag: string | null;
  /** The entry as read, so rewriting the file keeps fields this backend does not use. */
  raw: Record<string, unknown>;
}

/** A parsed `index.json`: its entries and the raw document (for unknown top-level fields). */
export interface LayoutIndex {
  raw: Record<string, unknown>;
  entries: IndexEntry[];
}

/** The `index.json` of a layout that has no manifests yet. */
export function emptyIndex(): LayoutIndex {
  return { raw: { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }, entries: [] };
}

/** Checks an `oci-layout` file's text; throws RegistryError naming `path` when unsupported. */
export function checkOciLayout(text: string, path: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new RegistryError(`${path} is not valid JSON, so the directory is not an OCI layout`, {
      cause: e,
    });
  }
  const version = typeof doc === "object" && doc !== null
    ? (doc as Record<string, unknown>).imageLayoutVersion
    : undefined;
  if (typeof version !== "string") {
    throw new RegistryError(
      `${path} has no imageLayoutVersion, so the directory is not an OCI layout`,
    );
  }
  if (!/^1\.\d+\.\d+$/.test(version)) {
    throw new RegistryError(
      `${path} declares imageLayoutVersion "${version}"; only version 1.x layouts are supported`,
    );
  }
}

/** Parses `index.json` text; throws RegistryError naming `path` when it is corrupt. */
export function parseIndex(text: string, path: string): LayoutIndex {
  const bad = (why: string, cause?: unknown) =>
    new RegistryError(`${path} is corrupt: ${why}`, cause === undefined ? {} : { cause });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw bad("it is not valid JSON", e);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw bad("it is not a JSON object");
  }
  const raw = doc as Record<string, unknown>;
  if (raw.schemaVersion !== 2) throw bad("schemaVersion is not 2");
  if (!Array.isArray(raw.manifests)) throw bad("it has no manifests list");
  const entries: IndexEntry[] = [];
  const tagged = new Map<string, string>();
  raw.manifests.forEach((item: unknown, i: number) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw bad(`manifests[${i}] is not an object`);
    }
    const e = item as Record<string, unknown>;
    if (typeof e.mediaType !== "string" || e.mediaType === "") {
      throw bad(`manifests[${i}] has no mediaType`);
    }
    if (typeof e.digest !== "string" || !isDigest(e.digest)) {
      throw bad(`manifests[${i}] has digest ${JSON.stringify(e.digest)}, not sha256:<64 hex>`);
    }
    if (typeof e.size !== "number" || !Number.isSafeInteger(e.size) || e.size < 0) {
      throw bad(`manifests[${i}] has no valid size`);
    }
    const tag = tagOf(e);
    if (tag !== null) {
      const other = tagged.get(tag);
      if (other !== undefined && other !== e.digest) {
        throw bad(`tag "${tag}" names both ${other} and ${e.digest}`);
      }
      tagged.set(tag, e.digest);
    }
    entries.push({ mediaType: e.mediaType, digest: e.digest, size: e.size, tag, raw: e });
  });
  return { raw, entries };
}

/** The tag an entry's `ref.name` annotation names, if it is a valid tag. */
function tagOf(e: Record<string, unknown>): string | null {
  const ann = e.annotations;
  if (typeof ann !== "object" || ann === null) return null;
  const name = (ann as Record<string, unknown>)[REF_NAME];
  return typeof name === "string" && isTag(name) ? name : null;
}

/** The text written to `index.json` for a parsed or updated index. */
export function serialiseIndex(index: LayoutIndex): string {
  return JSON.stringify({ ...index.raw, manifests: index.entries.map((e) => e.raw) }, null, 2) +
    "\n";
}

/** A manifest to record in an index: its descriptor and the tag it gets, or none. */
export interface NewEntry {
  mediaType: string;
  digest: string;
  size: number;
  tag: string | null;
  /** For a tag: the digest it may be moved from (an accumulator's merge), if any. */
  replacing?: string;
}

/**
 * Returns the index with `entry` recorded, or null when it is recorded already. A tag already
 * naming another digest is refused (tags are never moved), unless it names the digest the entry
 * is `replacing`, whose entry it then takes over; an untagged entry of the same digest
 * is replaced by the tagged one; a digest without a tag needs no entry when it has one.
 */
export function addEntry(index: LayoutIndex, entry: NewEntry, where: string): LayoutIndex | null {
  if (entry.tag === null) {
    if (index.entries.some((e) => e.digest === entry.digest)) return null;
    return { raw: index.raw, entries: [...index.entries, toEntry(entry)] };
  }
  const holder = index.entries.find((e) => e.tag === entry.tag);
  if (holder !== undefined && entry.replacing !== undefined && holder.digest === entry.replacing) {
    return {
      raw: index.raw,
      entries: index.entries.map((e) => e === holder ? toEntry(entry) : e),
    };
  }
  if (holder !== undefined) {
    if (holder.digest === entry.digest) return null;
    throw new RegistryError(
      `Cannot tag ${entry.digest} as "${entry.tag}" in ${where}: the tag already points at ` +
        `${holder.digest}, and tags are never moved`,
      { codes: ["DENIED"] },
    );
  }
  const untagged = index.entries.findIndex((e) => e.digest === entry.digest && e.tag === null);
  const entries = [...index.entries];
  if (untagged >= 0 && !hasOtherAnnotations(entries[untagged]!)) {
    entries[untagged] = toEntry(entry);
  } else {
    entries.push(toEntry(entry));
  }
  return { raw: index.raw, entries };
}

/** Whether an untagged entry carries annotations (then it is kept, not replaced). */
function hasOtherAnnotations(e: IndexEntry): boolean {
  return typeof e.raw.annotations === "object" && e.raw.annotations !== null;
}

/** Builds an index entry for a new descriptor. */
function toEntry(n: NewEntry): IndexEntry {
  const raw: Record<string, unknown> = { mediaType: n.mediaType, digest: n.digest, size: n.size };
  if (n.tag !== null) raw.annotations = { [REF_NAME]: n.tag };
  return { ...n, raw };
}
