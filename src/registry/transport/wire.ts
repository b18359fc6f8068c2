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
}

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * Sends one request with `redirect: "manual"`. The timeout is an idle timeout: it restarts
 * whenever a request body chunk goes out or a response body chunk arrives, and it only runs
 * while the transfer waits on the network (not while the caller is not reading), so a long
 * blob transfer that makes progress is never cut. Failures without an HTTP answer become
 * temporary RegistryErrors without a status.
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
    let timedOut = false;
    let answered = false;
    let cancelTimer = () => {};
    const arm = () => {
      cancelTimer();
      cancelTimer = timer(timeoutMs, () => {
        timedOut = true;
        ac.abort(new DOMException(`no progress for ${timeoutMs} ms`, "TimeoutError"));
      });
    };
    const disarm = () => {
      cancelTimer();
      cancelTimer = () => {};
    };
    const finish = () => {
      disarm();
      o.signal?.removeEventListener("abort", onCallerAbort);
    };

    let body: BodyInit | null = null;
    if (o.body instanceof ReadableStream) {
      body = watch(o.body, {
        beforeRead: () => {},
        onChunk: (n) => {
          stats.bytesUp(host, n);
          if (!answered) arm();
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
      const why = timedOut
        ? `no progress for ${timeoutMs} ms`
        : `connection failed: ${redactText(e instanceof Error ? e.message : String(e))}`;
      if (debug) log.debug(`${what()} -> ${why} (${now() - start} ms)`);
      throw new RegistryError(`Cannot ${what()}: ${why}`, { temporary: true, cause: e });
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
          mapError: (e) =>
            new RegistryError(
              `Cannot read the answer to ${what()}: ${
                timedOut
                  ? `no progress for ${timeoutMs} ms`
                  : redactText(e instanceof Error ? e.message : String(e))
              }`,
              { temporary: true, cause: e },
            ),
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
