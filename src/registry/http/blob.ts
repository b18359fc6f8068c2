/** The HTTP backend's blob operations: head, get, mount, and uploads checked while streaming. */
import { outsideText } from "../../safe_text.ts";
import type { BlobStream, Descriptor } from "../api.ts";
import { DigestVerifier, readVerified } from "../digest_check.ts";
import { RegistryError } from "../errors.ts";
import { type HttpContext, pullScope, pushScope } from "./context.ts";
import { discard, errorFromResponse, expectStatus, send } from "./response.ts";
import { UploadSession } from "./upload_session.ts";

/** Blobs up to this size (known in advance) are uploaded with one PUT. */
export const MONOLITHIC_LIMIT = 1024 * 1024;

/**
 * The idle timeout of the PUT that commits a streamed upload: a registry may answer it only
 * after moving the blob in its storage, so allow a minute plus a second per 5 MiB.
 */
export function commitTimeoutMs(size: number): number {
  return 60_000 + Math.ceil(Math.max(0, size) / (5 * 1024 * 1024)) * 1000;
}

function blobUrl(ctx: HttpContext, repo: string, digest: string): URL {
  return new URL(`/v2/${repo}/blobs/${digest}`, ctx.base);
}

/** Whether a blob is present in a repository (HEAD: 200 yes, 404 no). */
export async function hasBlob(ctx: HttpContext, repo: string, digest: string): Promise<boolean> {
  const what = `check blob ${digest} in ${ctx.display}/${repo}`;
  const res = await send(
    () =>
      ctx.fetch(new Request(blobUrl(ctx, repo, digest), { method: "HEAD" }), {
        scopes: [pullScope(repo)],
      }),
    what,
  );
  if (res.status === 404) {
    await discard(res);
    return false;
  }
  await expectStatus(res, [200], what);
  await discard(res);
  return true;
}

/**
 * Opens a blob for reading; size is -1 when the registry does not say. `expected` (the size the
 * manifest gives) extends the transfer's deadline.
 */
export async function getBlob(
  ctx: HttpContext,
  repo: string,
  digest: string,
  expected?: number,
): Promise<BlobStream> {
  const what = `read blob ${digest} from ${ctx.display}/${repo}`;
  const hint = { scopes: [pullScope(repo)], ...(expected !== undefined ? { size: expected } : {}) };
  const res = await send(() => ctx.fetch(new Request(blobUrl(ctx, repo, digest)), hint), what);
  await expectStatus(res, [200], what);
  const length = Number(res.headers.get("Content-Length") ?? Number.NaN);
  const body = res.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  return { size: Number.isSafeInteger(length) && length >= 0 ? length : -1, body };
}

/** Cancels an upload session, best effort (the registry expires it anyway). */
async function cancelUpload(ctx: HttpContext, repo: string, session: UploadSession): Promise<void> {
  try {
    const res = await ctx.fetch(new Request(session.url, { method: "DELETE" }), {
      scopes: [pushScope(repo)],
    });
    await discard(res);
  } catch {
    // the session expires on its own
  }
}

/** The upload session a response names (see UploadSession.from). */
function sessionOf(
  ctx: HttpContext,
  repo: string,
  res: Response,
  answered: URL,
  what: string,
): UploadSession {
  return UploadSession.from(res.headers.get("Location"), answered, { base: ctx.base, repo }, what);
}

/** Opens an upload session: POST .../blobs/uploads/ -> 202 Location. */
async function startUpload(ctx: HttpContext, repo: string, what: string): Promise<UploadSession> {
  const url = new URL(`/v2/${repo}/blobs/uploads/`, ctx.base);
  const res = await send(
    () => ctx.fetch(new Request(url, { method: "POST" }), { scopes: [pushScope(repo)] }),
    what,
  );
  await expectStatus(res, [202], what);
  await discard(res);
  return sessionOf(ctx, repo, res, url, what);
}

/**
 * Mounts a blob from another repository of the same registry: true when mounted (201); false
 * when the registry opened an upload session instead (202, which is cancelled if its location
 * is an upload session of `repo`) or refused the cross-repository access (401, 403).
 */
export async function mountBlob(
  ctx: HttpContext,
  repo: string,
  digest: string,
  fromRepo: string,
): Promise<boolean> {
  const what = `mount blob ${digest} from ${fromRepo} into ${ctx.display}/${repo}`;
  const url = new URL(`/v2/${repo}/blobs/uploads/`, ctx.base);
  url.search = `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepo)}`;
  const res = await send(
    () =>
      ctx.fetch(new Request(url, { method: "POST" }), {
        scopes: [pushScope(repo), pullScope(fromRepo)],
      }),
    what,
  );
  if (res.status === 201) {
    await discard(res);
    return true;
  }
  if (res.status === 202) {
    await discard(res);
    let opened: UploadSession | undefined;
    try {
      opened = sessionOf(ctx, repo, res, url, what);
    } catch {
      // Not an upload session of this repository: nothing is sent there; it expires anyway.
    }
    if (opened !== undefined) await cancelUpload(ctx, repo, opened);
    return false;
  }
  if (res.status === 401 || res.status === 403) {
    await discard(res);
    return false;
  }
  throw await errorFromResponse(res, what);
}

/** Checks the digest a registry says it stored, when it says one. */
function checkStoredDigest(res: Response, blob: Descriptor, what: string): void {
  const stored = res.headers.get("Docker-Content-Digest");
  if (stored !== null && stored !== "" && stored !== blob.digest) {
    throw new RegistryError(`Cannot ${what}: the registry stored it as ${outsideText(stored)}`);
  }
}

/**
 * Uploads a blob, checking its SHA-256 and size: a small blob of known size is read whole,
 * checked, then sent with one PUT; any other streams through one PATCH and is committed by
 * `PUT ?digest=` only if the content matched. One attempt of the sequence: on a failure the
 * session is cancelled (best effort) and the error thrown; the caller repeats the sequence
 * (after looking whether a commit whose answer was lost took effect). The commit is never
 * repeated blindly by the transport: after a lost answer its session no longer exists.
 */
export async function putBlob(
  ctx: HttpContext,
  repo: string,
  blob: Descriptor,
  body: ReadableStream<Uint8Array>,
): Promise<void> {
  const what = `upload blob ${blob.digest} to ${ctx.display}/${repo}`;
  if (blob.size >= 0 && blob.size <= ctx.monolithicLimit) {
    const bytes = await readVerified(blob, body);
    const session = await startUpload(ctx, repo, what);
    await commit(ctx, repo, blob, session, bytes, what);
    return;
  }
  const verifier = new DigestVerifier(blob);
  let session: UploadSession;
  try {
    session = await startUpload(ctx, repo, what);
  } catch (e) {
    await body.cancel().catch(() => {});
    throw e;
  }
  let res: Response;
  try {
    res = await send(
      () =>
        ctx.fetch(
          new Request(session.url, {
            method: "PATCH",
            headers: { "Content-Type": "application/octet-stream" },
            body: body.pipeThrough(verifier.transform),
          }),
          { scopes: [pushScope(repo)], ...(blob.size >= 0 ? { size: blob.size } : {}) },
        ),
      what,
    );
  } catch (e) {
    // The PATCH's answer was lost after every byte went out and matched: if the registry has
    // them all, the upload only needs its commit.
    if (verifier.done && verifier.failure === undefined && blob.size >= 0) {
      if ((await receivedBytes(ctx, repo, session)) === blob.size) {
        await commit(ctx, repo, blob, session, new Uint8Array(), what, commitTimeoutMs(blob.size));
        return;
      }
    }
    await cancelUpload(ctx, repo, session);
    throw verifier.failure ?? e;
  }
  if (verifier.failure !== undefined || !verifier.done || ![202, 204].includes(res.status)) {
    const err = verifier.failure ??
      (verifier.done
        ? await errorFromResponse(res, what)
        : new RegistryError(`Cannot ${what}: the registry answered before reading the content`));
    await discard(res);
    await cancelUpload(ctx, repo, session);
    throw sessionGone(err);
  }
  await discard(res);
  let next = session;
  if (res.headers.get("Location")) {
    try {
      next = sessionOf(ctx, repo, res, session.url, what);
    } catch (e) {
      await cancelUpload(ctx, repo, session);
      throw e;
    }
  }
  await commit(ctx, repo, blob, next, new Uint8Array(), what, commitTimeoutMs(blob.size));
}

/**
 * How many bytes an upload session holds (`GET <session>` -> 204 with `Range: 0-<last>`), or
 * null when the registry does not say.
 */
async function receivedBytes(
  ctx: HttpContext,
  repo: string,
  session: UploadSession,
): Promise<number | null> {
  try {
    const res = await ctx.fetch(new Request(session.url), { scopes: [pushScope(repo)] });
    await discard(res);
    const range = /^(?:bytes=)?0-(\d+)$/.exec(res.headers.get("Range") ?? "");
    if (![200, 204].includes(res.status) || range === null) return null;
    return Number(range[1]) + 1;
  } catch {
    return null;
  }
}

/**
 * Commits an upload with `PUT <session>?digest=` (carrying the bytes, if any). Sent once: the
 * caller repeats the whole upload when it fails (see putBlob).
 */
async function commit(
  ctx: HttpContext,
  repo: string,
  blob: Descriptor,
  session: UploadSession,
  bytes: Uint8Array,
  what: string,
  timeoutMs?: number,
): Promise<void> {
  let res: Response;
  const hint = {
    scopes: [pushScope(repo)],
    retry: "caller" as const,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
  try {
    res = await send(
      () =>
        ctx.fetch(
          new Request(session.commitUrl(blob.digest), {
            method: "PUT",
            headers: {
              "Content-Type": "application/octet-stream",
              "Content-Length": String(bytes.length),
            },
            body: bytes as Uint8Array<ArrayBuffer>,
          }),
          hint,
        ),
      what,
    );
    await expectStatus(res, [201], what);
  } catch (e) {
    await cancelUpload(ctx, repo, session);
    throw sessionGone(e);
  }
  await discard(res);
  checkStoredDigest(res, blob, what);
}

/**
 * An upload session the registry no longer knows (404 on the session's URL, with the code
 * BLOB_UPLOAD_UNKNOWN, or no readable code when the answer broke off) is a temporary failure
 * of the upload: a commit whose answer was lost may have been stored (HTTP clients
 * send a request again by themselves when a kept-alive connection closes under it), or the
 * session expired; either way starting the upload again is right.
 */
function sessionGone(e: unknown): unknown {
  if (e instanceof RegistryError && e.status === 404) {
    return new RegistryError(e.message, {
      status: 404,
      codes: e.codes,
      temporary: true,
      cause: e,
    });
  }
  return e;
}
