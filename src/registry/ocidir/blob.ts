/** Blob files of a layout: written through a temporary file with digest checks, read verified. */
import { createHash } from "node:crypto";
import { dirname } from "node:path";
import type { BlobStream, Descriptor } from "../api.ts";
import { sha256Digest } from "../digest_check.ts";
import { RegistryError } from "../errors.ts";
import { MANIFEST_LIMIT } from "../manifest_limit.ts";
import {
  fsError,
  removeQuietly,
  syncDir,
  tempName,
  writeAll,
  type WriteOptions,
} from "./fs_util.ts";

/**
 * Stores a blob at `path` from `body`: streams it into a temporary file in `tmpDir` while
 * hashing, checks digest and size, syncs, then renames it into place. Both directories are
 * checked to lie inside the layout root right before they are written in. On any mismatch or
 * failure the temporary file is removed and nothing is stored.
 */
export async function writeBlob(
  path: string,
  tmpDir: string,
  blob: Descriptor,
  body: ReadableStream<Uint8Array>,
  opts: WriteOptions,
): Promise<void> {
  const tmp = tempName(tmpDir);
  const hash = createHash("sha256");
  let size = 0;
  let file: Deno.FsFile | undefined;
  let sourceFailed = false;
  try {
    await opts.inside(tmpDir);
    file = await Deno.open(tmp, { write: true, createNew: true });
    const reader = body.getReader();
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (e) {
          sourceFailed = true;
          throw e;
        }
        const { done, value } = chunk;
        if (done) break;
        size += value.length;
        if (size > blob.size) {
          throw new RegistryError(
            `Cannot store blob ${blob.digest} in ${path}: more than the expected ${blob.size} bytes arrived`,
            { codes: ["SIZE_INVALID"] },
          );
        }
        hash.update(value);
        await writeAll(file, value);
      }
    } catch (e) {
      await reader.cancel().catch(() => {});
      throw e;
    }
    if (size !== blob.size) {
      throw new RegistryError(
        `Cannot store blob ${blob.digest} in ${path}: ${size} bytes arrived, ${blob.size} expected`,
        { codes: ["SIZE_INVALID"] },
      );
    }
    const got = "sha256:" + hash.digest("hex");
    if (got !== blob.digest) {
      throw new RegistryError(
        `Cannot store blob ${blob.digest} in ${path}: the bytes that arrived have digest ${got}`,
        { codes: ["DIGEST_INVALID"] },
      );
    }
    if (opts.fsync) await file.sync();
    file.close();
    file = undefined;
    await opts.checkpoint?.("blob-written", path);
    await opts.inside(dirname(path));
    await Deno.rename(tmp, path);
    if (opts.fsync) await syncDir(dirname(path));
  } catch (e) {
    file?.close();
    await removeQuietly(tmp);
    if (sourceFailed) throw e; // the bytes did not arrive: the source's error says why
    throw fsError("write blob", path, e);
  }
  await opts.checkpoint?.("blob-stored", path);
}

/** A stream of one chunk. */
export function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      c.enqueue(bytes);
      c.close();
    },
  });
}

/** A pass-through that fails the stream at its end when the bytes do not match `digest`. */
export function verifying(digest: string, size: number, path: string): TransformStream<
  Uint8Array,
  Uint8Array
> {
  const hash = createHash("sha256");
  let seen = 0;
  return new TransformStream({
    transform(chunk, c) {
      seen += chunk.length;
      hash.update(chunk);
      c.enqueue(chunk);
    },
    flush(c) {
      const got = "sha256:" + hash.digest("hex");
      if (seen !== size || got !== digest) {
        c.error(corrupt(path, digest, got));
      }
    },
  });
}

/** The error for a blob file whose content does not match its name. */
export function corrupt(path: string, digest: string, got: string): RegistryError {
  return new RegistryError(
    `Blob file ${path} is corrupt: its content has digest ${got}, not ${digest}`,
    { codes: ["DIGEST_INVALID"] },
  );
}

/** Opens a blob file for reading; the stream fails at its end if the content does not match. */
export async function openVerified(path: string, digest: string): Promise<BlobStream> {
  try {
    const file = await Deno.open(path, { read: true });
    const { size } = await file.stat();
    return { size, body: file.readable.pipeThrough(verifying(digest, size, path)) };
  } catch (e) {
    throw fsError("read blob", path, e);
  }
}

/**
 * Reads a whole manifest blob file and checks it against `digest`; one larger than
 * MANIFEST_LIMIT is refused unread.
 */
export async function readVerified(path: string, digest: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    const { size } = await Deno.stat(path);
    if (size > MANIFEST_LIMIT) {
      throw new RegistryError(
        `Cannot read manifest ${digest} from ${path}: it is larger than ${MANIFEST_LIMIT} bytes`,
      );
    }
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw fsError("read blob", path, e);
  }
  const got = sha256Digest(bytes);
  if (got !== digest) throw corrupt(path, digest, got);
  return bytes;
}

/** Reads a blob file through to the end, checking it; throws RegistryError when corrupt. */
export async function checkBlobFile(path: string, digest: string): Promise<void> {
  const { body } = await openVerified(path, digest);
  for await (const _ of body) {
    // Reading is the check.
  }
}
