/**
 * The file tree manifests are loaded from: the real file system, or another source such as a
 * git revision. Paths are relative to the tree's root and use "/" ("" is the root itself).
 */

/** What a directory entry is (symbolic links are reported as what they point to). */
export type EntryKind = "file" | "dir" | "other";

/** One entry of a directory listing. */
export interface TreeEntry {
  name: string;
  kind: EntryKind;
}

/**
 * A read-only tree of files. Implementations throw TreeError for a path they refuse or cannot
 * read (a link leading out of the tree, a file over `maxBytes`, an I/O failure); the loader
 * reports it as a problem of that path.
 */
export interface FileTree {
  /** How `path` is named in messages and in Manifest.file (e.g. the path as the user gave it). */
  label(path: string): string;
  /** The bytes of a regular file; null when nothing exists at `path`. */
  readFile(path: string, maxBytes: number): Promise<Uint8Array | null>;
  /** The entries of a directory (any order); null when `path` is not a directory. */
  list(path: string): Promise<TreeEntry[] | null>;
}

/** A path of a tree that cannot be used, with the reason (`reason` has no path in it). */
export class TreeError extends Error {
  /** The path as the tree labels it. */
  readonly path: string;
  /** Why the path cannot be used, e.g. "is a directory, not a file". */
  readonly reason: string;

  /** Builds an error for one path. */
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`${path}: ${reason}`, options);
    this.name = "TreeError";
    this.path = path;
    this.reason = reason;
  }
}

/** Joins tree paths with "/", leaving out empty parts. */
export function joinTreePath(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/");
}
