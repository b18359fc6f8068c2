/**
 * The innermost layer: one HTTP exchange on the wire, with an idle timeout, byte and request
 * accounting and a debug log line per request.
 */
import type { Logger } from "../../log.ts";
import { RegistryError } from "../errors.ts";
import type { Outgoing, Step } from "./outgoing.ts";
import { redactText, redactUrl } from "./redact.ts";
import type { TransportStats } from "./stats.ts";

/** Starts a timer that calls `fire` after `ms`; returns a function that cancels it. */
export type Timer = (ms: number, fire: () => void) => () => void;

/** The real timer. */
export const realTimer: Timer = (ms, fire) => {
  const id = setTimeout(fire, ms);
  return () => clearTimeout(id);
};

/** What the wire layer needs. */
export interface WireOptions {
  fetch: typeof fetch;
  stats: TransportStats;
  log: Logger;
  now: () => number;
  timer: Timer;
  /** Longest time without progress (request body sent, headers, response body) before giving up. */
  timeoutMs: number;
  /** The least time one attempt may take in all (see `attemptDeadlineMs`). */
  deadlineMs: number;
}

/**
 * The slowest transfer rate an attempt's deadline allows for the bytes it is expected to carry:
 * 256 KiB/s, a second for every 256 KiB.
 */
export const MIN_BYTES_PER_SECOND = 256 * 1024;

/**
 * The deadline of one attempt: the larger of `deadlineMs` and twice its idle timeout, plus a
 * second per 256 KiB it is expected to carry. A registry that trickles a byte now and then (so
 * the idle timeout never fires) is cut off by it.
 */
export function attemptDeadlineMs(deadlineMs: number, timeoutMs: number, bytes: number): number {
  return Math.max(deadlineMs, 2 * timeoutMs) +
    Math.ceil(Math.max(0, bytes) / MIN_BYTES_PER_SECOND) * 1000;
}

/**
 * An attempt made no progress for its idle timeout: temporary, but the retry layer repeats a
 * stalled request only once (a registry that stalls tends to stall again).
 */
export class StalledError extends RegistryError {}

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * Sends one request with `redirect: "manual"`, under two clocks that both run only while the
 * transfer waits on the network (until the headers arrive, and while a read of the response
 * body is pending; not while the caller is not reading):
 *
 * - the idle timeout restarts whenever a request body chunk goes out or a response body chunk
 *   arrives, so a long transfer that makes progress is never cut by it (StalledError);
 * - the deadline (`attemptDeadlineMs`) never restarts: a trickling answer fails with a
 *   RegistryError that is not temporary, so it is not tried again.
 *
 * Other failures without an HTTP answer become temporary RegistryErrors without a status.
 */
export function wireStep(opts: WireOptions): Step {
  const { stats, log, now, timer } = opts;
  return async (o: Outgoing) => {
    const timeoutMs = o.timeoutMs ?? opts.timeoutMs;
    const host = o.url.host;
    // Built only when a log line or an error needs it: redaction parses the URL again.
    const what = () => `${o.method} ${redactUrl(o.url)}`;
    const debug = log.enabled("debug");
    const ac = new AbortController();
    const onCallerAbort = () => ac.abort(o.signal?.reason);
    if (o.signal?.aborted) ac.abort(o.signal.reason);
    o.signal?.addEventListener("abort", onCallerAbort, { once: true });
    const deadlineMs = attemptDeadlineMs(
      opts.deadlineMs,
      timeoutMs,
      Math.max(o.size ?? 0, o.body instanceof Uint8Array ? o.body.byteLength : 0),
    );
    let timedOut: "idle" | "deadline" | undefined;
    let answered = false;
    let cancelTimer = () => {};
    let left = deadlineMs;
    let waitingSince: number | undefined;
    let cancelDeadline = () => {};
    const expire = (why: "idle" | "deadline") => {
      timedOut ??= why;
      ac.abort(new DOMException(timeoutText(timedOut), "TimeoutError"));
    };
    const timeoutText = (why: "idle" | "deadline") =>
      why === "idle"
        ? `no progress for ${timeoutMs} ms`
        : `no complete answer within its deadline of ${deadlineMs / 1000} s`;
    const arm = () => {
      cancelTimer();
      cancelTimer = timer(timeoutMs, () => expire("idle"));
      if (waitingSince !== undefined) return;
      waitingSince = now();
      cancelDeadline = timer(Math.max(0, left), () => expire("deadline"));
    };
    const disarm = () => {
      cancelTimer();
      cancelTimer = () => {};
      if (waitingSince === undefined) return;
      left -= now() - waitingSince;
      waitingSince = undefined;
      cancelDeadline();
      cancelDeadline = () => {};
    };
    const finish = () => {
      disarm();
      o.signal?.removeEventListener("abort", onCallerAbort);
    };
    /** The error of a transfer that failed: a timeout, or what `e` says (after `prefix`). */
    const failure = (action: string, e: unknown, prefix = ""): RegistryError => {
      if (timedOut === "idle") {
        return new StalledError(`${action}: ${timeoutText("idle")}`, { temporary: true, cause: e });
      }
      if (timedOut === "deadline") {
        return new RegistryError(`${action}: ${timeoutText("deadline")}`, { cause: e });
      }
      return new RegistryError(
        `${action}: ${prefix}${redactText(e instanceof Error ? e.message : String(e))}`,
        { temporary: true, cause: e },
      );
    };

    let body: BodyInit | null = null;
    if (o.body instanceof ReadableStream) {
      body = watch(o.body, {
        beforeRead: () => {},
        onChunk: (n) => {
          stats.bytesUp(host, n);
          if (!answered) arm(); // progress: the idle timeout restarts; the deadline runs on
        },
        onEnd: () => {},
        mapError: (e) => e,
      });
    } else if (o.body !== null) {
      stats.bytesUp(host, o.body.byteLength);
      body = o.body;
    }

    const start = now();
    arm();
    let res: Response;
    try {
      res = await untilAborted(
        opts.fetch(o.url, {
          method: o.method,
          headers: o.headers,
          body,
          redirect: "manual",
          signal: ac.signal,
        }),
        ac.signal,
      );
    } catch (e) {
      answered = true;
      finish();
      stats.request(host, o.method, undefined);
      if (o.signal?.aborted && !timedOut) {
        if (debug) log.debug(`${what()} -> cancelled (${now() - start} ms)`);
        throw e;
      }
      const action = `Cannot ${what()}`;
      const err = failure(action, e, "connection failed: ");
      if (debug) {
        log.debug(`${what()} -> ${err.message.slice(action.length + 2)} (${now() - start} ms)`);
      }
      throw err;
    }
    answered = true;
    disarm();
    stats.request(host, o.method, res.status);
    if (debug) log.debug(`${what()} -> ${res.status} (${now() - start} ms)`);
    const init = { status: res.status, statusText: res.statusText, headers: res.headers };
    let out: Response;
    // An answer declared empty (most writes: 201, 202) needs no watched body stream.
    if (
      res.body === null || NULL_BODY_STATUS.has(res.status) ||
      res.headers.get("content-length") === "0"
    ) {
      await res.body?.cancel();
      finish();
      out = new Response(null, init);
    } else {
      out = new Response(
        watch(res.body, {
          signal: ac.signal,
          beforeRead: arm,
          onChunk: (n) => {
            disarm();
            stats.bytesDown(host, n);
          },
          onEnd: finish,
          mapError: (e) => failure(`Cannot read the answer to ${what()}`, e),
        }),
        init,
      );
    }
    Object.defineProperty(out, "url", { value: o.url.href });
    return out;
  };
}

/** Hooks of a watched stream. */
interface Watch {
  /** Aborting it fails a pending read, whatever the source stream does. */
  signal?: AbortSignal;
  beforeRead: () => void;
  onChunk: (bytes: number) => void;
  onEnd: () => void;
  mapError: (e: unknown) => unknown;
}

/** A pull-through copy of `src` that reports reads, chunks, the end and errors. */
function watch(src: ReadableStream<Uint8Array>, w: Watch): ReadableStream<Uint8Array> {
  const reader = src.getReader();
  // One abort listener for the whole stream (not one per read): it fails the pending read.
  let failPending: ((e: unknown) => void) | undefined;
  const onAbort = () => failPending?.(w.signal?.reason);
  w.signal?.addEventListener("abort", onAbort, { once: true });
  const end = () => {
    w.signal?.removeEventListener("abort", onAbort);
    w.onEnd();
  };
  const read = (): Promise<ReadableStreamReadResult<Uint8Array>> => {
    if (w.signal === undefined) return reader.read();
    if (w.signal.aborted) return Promise.reject(w.signal.reason);
    return new Promise((resolve, reject) => {
      failPending = reject;
      reader.read().then(resolve, reject);
    });
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      w.beforeRead();
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await read();
      } catch (e) {
        end();
        reader.cancel(e).catch(() => {});
        controller.error(w.mapError(e));
        return;
      } finally {
        failPending = undefined;
      }
      if (r.done) {
        end();
        controller.close();
        return;
      }
      w.onChunk(r.value.byteLength);
      controller.enqueue(r.value);
    },
    async cancel(reason) {
      end();
      await reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** `p`, or a rejection with the signal's reason as soon as it aborts. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) {
    p.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      p.catch(() => {});
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
