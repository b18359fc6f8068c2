/** File-system helpers for OCI layouts: errors naming paths, atomic replacement, fsync. */
import { dirname, join } from "node:path";
import { RegistryError } from "../errors.ts";

/** Points during a write where a test (or a tracer) may observe or stop the process. */
export type WritePoint =
  | "blob-written" // a blob's temporary file is complete and synced, not yet renamed
  | "blob-stored" // a blob was renamed into place
  | "index-written" // a new index.json is complete in a temporary file, not yet renamed
  | "index-stored"; // the new index.json was renamed into place

/** Called at each write point with the final path being written. */
export type Checkpoint = (point: WritePoint, path: string) => void | Promise<void>;

/** How writes behave: whether to fsync, the checkpoint hook, and where they may go. */
export interface WriteOptions {
  fsync: boolean;
  checkpoint?: Checkpoint;
  /**
   * Throws RegistryError unless the existing directory `dir` lies inside the layout root,
   * symbolic links resolved. Called right before every file is created or renamed in it:
   * nothing is trusted from an earlier check.
   */
  inside: (dir: string) => Promise<void>;
}

/** Wraps a file-system failure in a RegistryError saying what could not be done to `path`. */
export function fsError(action: string, path: string, e: unknown): RegistryError {
  if (e instanceof RegistryError) return e;
  const why = e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied
    ? "permission denied" // never Deno's advice to run again with a flag
    : e instanceof Error
    ? e.message.replace(/\s*\(os error \d+\).*$/s, "")
    : String(e);
  return new RegistryError(`Cannot ${action} ${path}: ${why}`, { cause: e });
}

/** `lstat` that answers null when the path (or a directory on the way) does not exist. */
export async function lstatOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.lstat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return null;
    throw fsError("inspect", path, e);
  }
}

/** A fresh temporary file name inside `dir` (hidden, so walkers skip it). */
export function tempName(dir: string): string {
  return join(dir, `.cip-tmp-${crypto.randomUUID()}`);
}

/** Flushes a directory's entries (a rename in it) to disk. */
export async function syncDir(dir: string): Promise<void> {
  const d = await Deno.open(dir, { read: true });
  try {
    await d.sync();
  } finally {
    d.close();
  }
}

/** Writes all of `bytes` to an open file (writes may be partial). */
export async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += await file.write(bytes.subarray(done));
}

/** Creates the file `path`, which must not exist yet, with `bytes`; syncs it when `fsync`. */
export async function writeNewFile(path: string, bytes: Uint8Array, fsync: boolean): Promise<void> {
  const file = await Deno.open(path, { write: true, createNew: true });
  try {
    await writeAll(file, bytes);
    if (fsync) await file.sync();
  } finally {
    file.close();
  }
}

/** Removes a file if it exists, ignoring every failure (cleanup of temporary files). */
export async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch {
    // Nothing to clean up, or nothing we could do about it.
  }
}

/**
 * Replaces `path` atomically with `bytes`: writes a temporary file next to it, syncs it and
 * renames it over the old file, so readers see the old or the new content, never a mix.
 */
export async function replaceFile(
  path: string,
  bytes: Uint8Array,
  opts: WriteOptions,
  points?: { written: WritePoint; stored: WritePoint },
): Promise<void> {
  const dir = dirname(path);
  const tmp = tempName(dir);
  await opts.inside(dir);
  try {
    await writeNewFile(tmp, bytes, opts.fsync);
    if (points) await opts.checkpoint?.(points.written, path);
    await Deno.rename(tmp, path);
  } catch (e) {
    await removeQuietly(tmp);
    throw fsError("write", path, e);
  }
  if (opts.fsync) await syncDir(dir).catch((e) => Promise.reject(fsError("sync", dir, e)));
  if (points) await opts.checkpoint?.(points.stored, path);
}
