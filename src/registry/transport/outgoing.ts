/** What the client calls (`HttpFetch`) and the request shape the transport's layers pass on. */

/**
 * Token scopes a request needs, e.g.
 * `["repository:prod/foo:pull,push", "repository:staging/foo:pull"]` (push scope first).
 */
export interface RequestHint {
  scopes?: string[];
  /**
   * This request's idle timeout in ms instead of the transport's, e.g. longer for the PUT that
   * commits a big upload, which a registry may answer only after moving the blob in storage.
   */
  timeoutMs?: number;
  /**
   * Bytes this request is expected to carry, up or down (a blob's size): its deadline grows by
   * a second per 256 KiB (see `attemptDeadlineMs`). Never taken from the registry's answer.
   */
  size?: number;
  /**
   * One attempt only. `"caller"`: the caller repeats a whole sequence of requests itself when
   * this one fails (e.g. the PUT that commits an upload, which must not be sent again blindly
   * after a lost answer). `"never"`: a probe whose failure is itself the answer (is there a
   * metadata server?).
   */
  retry?: "caller" | "never";
  /**
   * Read the answer's body whole, at most this many bytes, within the attempt, so that an
   * answer that breaks off is repeated like a lost one (for small answers read whole anyway:
   * manifests, listings, tokens).
   */
  read?: number;
}

/**
 * What the client calls instead of fetch. The Request may carry a ReadableStream body, which
 * is sent at most once (see `REPLAY_LIMIT` for bodies the transport can send again).
 */
export type HttpFetch = (req: Request, hint?: RequestHint) => Promise<Response>;

/**
 * Request bodies with a `Content-Length` header of at most this many bytes are read into memory
 * and can be sent again (retries, re-authentication, 307 redirects); any other body is a
 * stream, sent once: if that attempt fails the caller retries the whole operation.
 */
const REPLAY_LIMIT = 8 * 1024 * 1024;

/** One request on its way through the transport's layers. */
export interface Outgoing {
  method: string;
  url: URL;
  headers: Headers;
  /** Bytes (can be sent again), a stream (sent at most once), or null. */
  body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | null;
  /** Token scopes the request needs (from the hint), possibly empty. */
  scopes: string[];
  /** The caller's cancellation signal. */
  signal?: AbortSignal;
  /** Idle timeout of this request (from the hint), else the transport's. */
  timeoutMs?: number;
  /** Bytes the request is expected to carry (from the hint). */
  size?: number;
  /** See RequestHint.retry. */
  retry?: "caller" | "never";
  /** See RequestHint.read. */
  read?: number;
}

/** One layer's view of the rest of the chain. */
export type Step = (o: Outgoing) => Promise<Response>;

/** Whether a request can be sent again after a failed attempt. */
export function isReplayable(o: Outgoing): boolean {
  return !(o.body instanceof ReadableStream);
}

/** Converts the client's Request into the transport's shape, buffering small bodies. */
export async function toOutgoing(req: Request, hint?: RequestHint): Promise<Outgoing> {
  const headers = new Headers(req.headers);
  let body: Outgoing["body"] = null;
  if (req.body !== null) {
    const declared = Number(headers.get("content-length") ?? Number.NaN);
    if (Number.isSafeInteger(declared) && declared >= 0 && declared <= REPLAY_LIMIT) {
      body = new Uint8Array(await req.arrayBuffer());
    } else {
      body = req.body;
    }
    // fetch computes the length itself for bytes and streams stream bodies chunked.
    headers.delete("content-length");
  }
  return {
    method: req.method,
    url: new URL(req.url),
    headers,
    body,
    scopes: hint?.scopes ?? [],
    signal: req.signal,
    ...(hint?.timeoutMs !== undefined ? { timeoutMs: hint.timeoutMs } : {}),
    ...(hint?.size !== undefined ? { size: hint.size } : {}),
    ...(hint?.retry !== undefined ? { retry: hint.retry } : {}),
    ...(hint?.read !== undefined ? { read: hint.read } : {}),
  };
}
