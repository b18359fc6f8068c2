/** One image's OCI layout directory: reading its state, creating it, updating its index. */
import { dirname, join } from "node:path";
import { RegistryError } from "../errors.ts";
import {
  fsError,
  lstatOrNull,
  removeQuietly,
  replaceFile,
  syncDir,
  tempName,
  writeNewFile,
  type WriteOptions,
} from "./fs_util.ts";
import {
  addEntry,
  checkOciLayout,
  emptyIndex,
  type LayoutIndex,
  type NewEntry,
  OCI_LAYOUT_TEXT,
  parseIndex,
  serialiseIndex,
} from "./index_file.ts";
import { withKeyLock } from "./key_lock.ts";
import type { LayoutRoot } from "./layout_root.ts";

/** A layout as read: its directory and index (empty while `index.json` is not written yet). */
export interface LayoutState {
  dir: string;
  index: LayoutIndex;
  /** True while the layout has its `oci-layout` file but no `index.json` yet. */
  indexMissing: boolean;
}

/** The path of a blob of a layout. */
export function blobPath(dir: string, digest: string): string {
  return join(dir, "blobs", "sha256", digest.slice("sha256:".length));
}

/** The largest `index.json` or `oci-layout` file read (some 200,000 entries). */
export const LAYOUT_FILE_LIMIT = 64 * 1024 * 1024;

/**
 * Reads a small text file of a layout, refusing symlinks that lead out of the root and files
 * larger than LAYOUT_FILE_LIMIT (unread).
 */
async function readText(root: LayoutRoot, path: string, info: Deno.FileInfo): Promise<string> {
  if (info.isSymlink) await root.assertInside(path);
  try {
    if ((await Deno.stat(path)).size > LAYOUT_FILE_LIMIT) {
      throw new RegistryError(`Cannot read ${path}: it is larger than ${LAYOUT_FILE_LIMIT} bytes`);
    }
    return await Deno.readTextFile(path);
  } catch (e) {
    throw fsError("read", path, e);
  }
}

/**
 * Reads the layout of `repo`, or null when the repository does not exist yet (no directory, or
 * a directory that only holds other layouts). Throws RegistryError for a directory that holds
 * layout files without being a valid layout.
 */
export async function readLayout(root: LayoutRoot, repo: string): Promise<LayoutState | null> {
  const dir = root.layoutDir(repo);
  if ((await root.real(false)) === null || (await lstatOrNull(dir)) === null) return null;
  await root.assertInside(dir);
  const info = await Deno.stat(dir).catch((e) => Promise.reject(fsError("inspect", dir, e)));
  if (!info.isDirectory) {
    throw new RegistryError(`${dir} (repository ${repo} of ${root.display}) is not a directory`);
  }
  const layoutFile = join(dir, "oci-layout");
  const layoutInfo = await lstatOrNull(layoutFile);
  const indexFile = join(dir, "index.json");
  const indexInfo = await lstatOrNull(indexFile);
  if (layoutInfo === null) {
    if (indexInfo !== null || (await lstatOrNull(join(dir, "blobs"))) !== null) {
      throw new RegistryError(
        `${dir} (repository ${repo} of ${root.display}) is not an OCI image layout: ` +
          `it has no oci-layout file`,
      );
    }
    return null;
  }
  checkOciLayout(await readText(root, layoutFile, layoutInfo), layoutFile);
  if (indexInfo === null) return { dir, index: emptyIndex(), indexMissing: true };
  const index = parseIndex(await readText(root, indexFile, indexInfo), indexFile);
  return { dir, index, indexMissing: false };
}

/**
 * Creates the layout of `repo` if needed (directories, `oci-layout`, `index.json`), without
 * ever replacing a file another writer (thread or process) created meanwhile.
 */
export async function ensureLayout(
  root: LayoutRoot,
  repo: string,
  opts: WriteOptions,
): Promise<string> {
  const dir = root.layoutDir(repo);
  return await withKeyLock(dir, async () => {
    let state = await readLayout(root, repo);
    if (state === null && (await lstatOrNull(dir)) === null) {
      await createWhole(root, dir, opts);
      state = await readLayout(root, repo);
    }
    if (state === null) {
      // The directory exists and holds other layouts only: add the layout files in place,
      // oci-layout first (a layout without index.json reads as empty).
      await root.mkdirInside(join(dir, "blobs", "sha256"));
      await createOnce(join(dir, "oci-layout"), new TextEncoder().encode(OCI_LAYOUT_TEXT), opts);
      state = await readLayout(root, repo);
      if (state === null) throw new RegistryError(`Cannot create the OCI layout ${dir}`);
    }
    await root.mkdirInside(join(dir, "blobs", "sha256"));
    if (state.indexMissing) {
      await withLayoutLock(dir, async () => {
        const now = await readLayout(root, repo);
        if (now?.indexMissing) await writeIndex(join(dir, "index.json"), emptyIndex(), opts);
      });
    }
    return dir;
  });
}

/** Creates `path` with `bytes` unless it exists, never showing a partly written file. */
async function createOnce(path: string, bytes: Uint8Array, opts: WriteOptions): Promise<void> {
  const tmp = tempName(dirname(path));
  await opts.inside(dirname(path));
  try {
    await writeNewFile(tmp, bytes, opts.fsync);
    await Deno.link(tmp, path);
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw fsError("write", path, e);
  } finally {
    await removeQuietly(tmp);
  }
  if (opts.fsync) {
    await syncDir(dirname(path)).catch((e) => Promise.reject(fsError("sync", path, e)));
  }
}

/**
 * Runs `fn` holding an exclusive advisory lock on the layout's `oci-layout` file (a file never
 * replaced once written), so writers in other processes take turns with this one.
 */
async function withLayoutLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lockFile = join(dir, "oci-layout");
  let lock: Deno.FsFile;
  try {
    lock = await Deno.open(lockFile, { read: true });
  } catch (e) {
    throw fsError("lock", lockFile, e);
  }
  try {
    await lock.lock(true);
  } catch (e) {
    lock.close();
    throw fsError("lock", lockFile, e);
  }
  try {
    return await fn();
  } finally {
    lock.close(); // closing releases the lock
  }
}

/**
 * Builds a complete empty layout in a hidden temporary directory next to `dir` and renames it
 * into place, so the layout appears whole or not at all. Does nothing when `dir` appeared
 * meanwhile (another writer created it).
 */
async function createWhole(root: LayoutRoot, dir: string, opts: WriteOptions): Promise<void> {
  const parent = dirname(dir);
  await root.mkdirInside(parent);
  const tmp = tempName(parent);
  try {
    await Deno.mkdir(join(tmp, "blobs", "sha256"), { recursive: true });
    await Deno.writeTextFile(join(tmp, "oci-layout"), OCI_LAYOUT_TEXT);
    await Deno.writeTextFile(join(tmp, "index.json"), serialiseIndex(emptyIndex()));
    if (opts.fsync) {
      for (const f of ["oci-layout", "index.json"]) {
        const file = await Deno.open(join(tmp, f), { read: true });
        await file.sync().finally(() => file.close());
      }
    }
  } catch (e) {
    await removeQuietly(tmp);
    throw fsError("create the OCI layout", dir, e);
  }
  try {
    await Deno.rename(tmp, dir);
  } catch (e) {
    await removeQuietly(tmp);
    if ((await lstatOrNull(dir)) !== null) return;
    throw fsError("create the OCI layout", dir, e);
  }
  if (opts.fsync) await syncDir(parent).catch((e) => Promise.reject(fsError("sync", parent, e)));
}

/** Writes `index.json` atomically. */
async function writeIndex(path: string, index: LayoutIndex, opts: WriteOptions): Promise<void> {
  await replaceFile(path, new TextEncoder().encode(serialiseIndex(index)), opts, {
    written: "index-written",
    stored: "index-stored",
  });
}

/**
 * Records a manifest in the index of an existing layout. Updates of one layout are serialised
 * (in this process by a queue, across processes by an advisory lock on its `oci-layout` file)
 * and each re-reads the index first, so concurrent updates never lose an entry.
 */
export async function recordEntry(
  root: LayoutRoot,
  repo: string,
  entry: NewEntry,
  opts: WriteOptions,
): Promise<void> {
  const dir = root.layoutDir(repo);
  await withKeyLock(dir, async () => {
    await withLayoutLock(dir, async () => {
      const state = await readLayout(root, repo);
      if (state === null) {
        throw new RegistryError(`Cannot record ${entry.digest} in ${dir}: the layout disappeared`);
      }
      const next = addEntry(state.index, entry, `${root.display} repository ${repo}`);
      if (next !== null) await writeIndex(join(dir, "index.json"), next, opts);
    });
  });
}
