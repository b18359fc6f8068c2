/** The real file system as a FileTree, optionally confined to one directory. */
import {
  type EntryKind,
  type FileTree,
  joinTreePath,
  type TreeEntry,
  TreeError,
} from "./file_tree.ts";

/**
 * Files below `root` (paths are joined to it), or, with root null, paths used as given.
 * A confined tree refuses any path whose real location (symbolic links resolved) is outside
 * the real location of `root`.
 */
export class FsTree implements FileTree {
  readonly #root: string | null;
  #realRoot: Promise<string> | null = null;

  /** A tree rooted at `root` (confined to it), or the whole file system when root is null. */
  constructor(root: string | null) {
    this.#root = root === null ? null : root.replace(/(?<=.)[/\\]+$/, "");
  }

  /** The path as the user would write it: root joined with the relative path. */
  label(path: string): string {
    if (this.#root === null) return path;
    if (path === "") return this.#root;
    return this.#root === "/" ? `/${path}` : `${this.#root}/${path}`;
  }

  /** Reads a regular file of at most `maxBytes`; null when it does not exist. */
  async readFile(path: string, maxBytes: number): Promise<Uint8Array | null> {
    const full = await this.#resolve(path);
    if (full === null) return null;
    const label = this.label(path);
    try {
      const info = await Deno.stat(full);
      if (info.isDirectory) throw new TreeError(label, "is a directory, expected a file");
      if (!info.isFile) throw new TreeError(label, "is not a regular file");
      if (info.size > maxBytes) throw tooLarge(label, `${info.size} bytes`, maxBytes);
      using file = await Deno.open(full, { read: true });
      const buf = new Uint8Array(Math.min(info.size, maxBytes) + 1);
      let n = 0;
      while (n < buf.length) {
        const got = await file.read(buf.subarray(n));
        if (got === null) break;
        n += got;
      }
      if (n > maxBytes) throw tooLarge(label, `more than ${maxBytes} bytes`, maxBytes);
      return buf.slice(0, n);
    } catch (e) {
      if (e instanceof TreeError) throw e;
      if (e instanceof Deno.errors.NotFound) return null;
      throw new TreeError(label, `cannot be read: ${ioReason(e)}`, { cause: e });
    }
  }

  /** Lists a directory; null when it is not one. */
  async list(path: string): Promise<TreeEntry[] | null> {
    const full = await this.#resolve(path);
    if (full === null) return null;
    const label = this.label(path);
    try {
      const info = await Deno.stat(full);
      if (!info.isDirectory) return null;
      const entries: TreeEntry[] = [];
      for await (const e of Deno.readDir(full)) {
        let kind: EntryKind = e.isDirectory ? "dir" : e.isFile ? "file" : "other";
        if (e.isSymlink) kind = await kindOf(`${full}/${e.name}`);
        entries.push({ name: e.name, kind });
      }
      return entries;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw new TreeError(label, `cannot be listed: ${ioReason(e)}`, { cause: e });
    }
  }

  /** The path to open; null when nothing is there; throws when it leads out of the root. */
  async #resolve(path: string): Promise<string | null> {
    const full = this.#root === null ? path : joinTreePath(this.#root, path) || this.#root;
    if (this.#root === null) return full;
    const root = await this.#rootReal();
    let real: string;
    try {
      real = await Deno.realPath(full);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return null;
      throw new TreeError(this.label(path), `cannot be resolved: ${ioReason(e)}`, {
        cause: e,
      });
    }
    const sep = Deno.build.os === "windows" ? "\\" : "/";
    const inside = real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
    if (!inside) {
      throw new TreeError(
        this.label(path),
        `leads outside ${this.#root} through a symbolic link (it resolves to ${real}); ` +
          "links in a manifest directory must stay inside it",
      );
    }
    return real;
  }

  #rootReal(): Promise<string> {
    this.#realRoot ??= Deno.realPath(this.#root!).catch(() => this.#root!);
    return this.#realRoot;
  }
}

/**
 * Why an I/O call failed, for any user: `permission denied` (whether the system or Deno's
 * permissions refused it, so no Deno flag is suggested to a user of the binary), else the
 * system's message.
 */
function ioReason(e: unknown): string {
  if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable) {
    return "permission denied";
  }
  return e instanceof Error ? e.message : String(e);
}

/** The kind of what a symbolic link points to ("other" when it points nowhere). */
async function kindOf(path: string): Promise<EntryKind> {
  try {
    const info = await Deno.stat(path);
    return info.isDirectory ? "dir" : info.isFile ? "file" : "other";
  } catch {
    return "other";
  }
}

/** The error for a file over the size limit. */
function tooLarge(label: string, size: string, max: number): TreeError {
  return new TreeError(
    label,
    `is ${size} long; manifest files may be at most ${max} bytes (${
      (max / 1048576).toFixed(0)
    } MiB)`,
  );
}
