/** The manifests' directory as it was at a git revision, as a FileTree the loader reads. */
import {
  type FileTree,
  joinTreePath,
  MAX_MANIFEST_BYTES,
  type TreeEntry,
  TreeError,
} from "../mod.ts";
import type { Git, TreeFile } from "./git.ts";

/** What a GitTree needs of git: listing a directory and reading files at a commit. */
export type GitReader = Pick<Git, "listFiles" | "readFiles">;

const REGULAR = new Set(["100644", "100755"]);

/**
 * A directory of a repository at one commit. Paths are relative to `dir` (a path from the
 * repository root, "" for the root); `label` names them as the head's files are named, so
 * findings about the base point at the head's files. Files are listed once; reading a file
 * reads it with git (and the files of `prefetch` all at once, on first use).
 */
export class GitTree implements FileTree {
  readonly #git: GitReader;
  readonly #commit: string;
  readonly #dir: string;
  readonly #label: (path: string) => string;
  readonly #files = new Map<string, TreeFile>();
  readonly #dirs = new Map<string, Map<string, TreeEntry>>();
  readonly #prefetch: (path: string) => boolean;
  #cache: Promise<Map<string, Uint8Array>> | null = null;

  /** Builds the tree from a listing of `dir` at `commit` (see `GitTree.open`). */
  constructor(
    git: GitReader,
    commit: string,
    dir: string,
    files: readonly TreeFile[],
    label: (path: string) => string,
    prefetch: (path: string) => boolean = () => false,
  ) {
    this.#git = git;
    this.#commit = commit;
    this.#dir = dir;
    this.#label = label;
    this.#prefetch = prefetch;
    this.#dirs.set("", new Map());
    const base = dir === "" ? "" : `${dir}/`;
    for (const f of files) {
      if (!f.path.startsWith(base)) continue;
      const rel = f.path.slice(base.length);
      this.#files.set(rel, f);
      const parts = rel.split("/");
      for (let i = 0; i < parts.length; i++) {
        const parent = parts.slice(0, i).join("/");
        const name = parts[i]!;
        const isLast = i === parts.length - 1;
        let entries = this.#dirs.get(parent);
        if (!entries) this.#dirs.set(parent, entries = new Map());
        const kind = isLast ? (REGULAR.has(f.mode) ? "file" : "other") : "dir";
        if (!entries.has(name)) entries.set(name, { name, kind });
        if (!isLast && !this.#dirs.has(joinTreePath(parent, name))) {
          this.#dirs.set(joinTreePath(parent, name), new Map());
        }
      }
    }
  }

  /** Lists `dir` at `commit` and builds its tree. */
  static async open(
    git: GitReader,
    commit: string,
    dir: string,
    label: (path: string) => string,
    prefetch?: (path: string) => boolean,
  ): Promise<GitTree> {
    const files = await git.listFiles(commit, dir);
    return new GitTree(git, commit, dir, files, label, prefetch);
  }

  /** Whether the directory holds nothing at the commit (it did not exist then). */
  get empty(): boolean {
    return this.#files.size === 0;
  }

  /** The name the head gives this path. */
  label(path: string): string {
    return this.#label(path);
  }

  /** The bytes of a regular file at the commit; null when there was none. */
  async readFile(path: string, maxBytes: number): Promise<Uint8Array | null> {
    const f = this.#files.get(path);
    if (!f) {
      if (this.#dirs.has(path)) {
        throw new TreeError(this.label(path), "is a directory, expected a file");
      }
      return null;
    }
    if (!REGULAR.has(f.mode)) throw new TreeError(this.label(path), "is not a regular file");
    if (f.size > maxBytes) {
      throw new TreeError(
        this.label(path),
        `is ${f.size} bytes, more than the ${maxBytes} allowed`,
      );
    }
    if (this.#prefetch(path)) {
      this.#cache ??= this.#git.readFiles(this.#commit, this.#prefetchPaths());
      const cached = (await this.#cache).get(joinTreePath(this.#dir, path));
      if (cached) return cached;
    }
    const one = await this.#git.readFiles(this.#commit, [joinTreePath(this.#dir, path)]);
    return one.get(joinTreePath(this.#dir, path)) ?? null;
  }

  /** The repository paths of the files to read at once: prefetched, regular, not too large. */
  #prefetchPaths(): string[] {
    return [...this.#files].filter(([p, f]) =>
      this.#prefetch(p) && REGULAR.has(f.mode) && f.size <= MAX_MANIFEST_BYTES
    ).map(([p]) => joinTreePath(this.#dir, p));
  }

  /** The entries of a directory at the commit; null when there was none. */
  list(path: string): Promise<TreeEntry[] | null> {
    const entries = this.#dirs.get(path);
    return Promise.resolve(entries ? [...entries.values()] : null);
  }
}
