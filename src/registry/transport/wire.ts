/**
 * The innermost layer: one HTTP exchange on the wire, under the attempt's two clocks (idle
 * timeout and deadline, see attempt_clocks.ts), with byte and request accounting and a debug
 * log line per request.
 */
import type { Logger } from "../../log.ts";
import { AttemptClocks, attemptDeadlineMs, type Timer } from "./attempt_clocks.ts";
import type { Outgoing, Step } from "./outgoing.ts";
import { redactUrl } from "./redact.ts";
import type { TransportStats } from "./stats.ts";
import { untilAborted, watch } from "./watch.ts";

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

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * Sends one request with `redirect: "manual"`, under the attempt's two clocks: no progress
 * for the idle timeout fails it with a StalledError, the deadline with a RegistryError that is
 * not temporary. Other failures without an HTTP answer become temporary RegistryErrors without
 * a status. The caller's signal aborts the attempt too.
 */
export function wireStep(opts: WireOptions): Step {
  const { stats, log, now } = opts;
  return async (o: Outgoing) => {
    const host = o.url.host;
    // Built only when a log line or an error needs it: redaction parses the URL again.
    const what = () => `${o.method} ${redactUrl(o.url)}`;
    const debug = log.enabled("debug");
    const ac = new AbortController();
    const onCallerAbort = () => ac.abort(o.signal?.reason);
    if (o.signal?.aborted) ac.abort(o.signal.reason);
    o.signal?.addEventListener("abort", onCallerAbort, { once: true });
    const timeoutMs = o.timeoutMs ?? opts.timeoutMs;
    const expected = Math.max(o.size ?? 0, o.body instanceof Uint8Array ? o.body.byteLength : 0);
    const clocks = new AttemptClocks(
      opts.timer,
      now,
      timeoutMs,
      attemptDeadlineMs(opts.deadlineMs, timeoutMs, expected),
      (reason) => ac.abort(reason),
    );
    const finish = () => {
      clocks.disarm();
      o.signal?.removeEventListener("abort", onCallerAbort);
    };
    let answered = false;
    const body = requestBody(o, (n) => {
      stats.bytesUp(host, n);
      if (!answered) clocks.arm(); // progress: the idle timeout restarts; the deadline runs on
    });

    const start = now();
    clocks.arm();
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
      if (o.signal?.aborted && !clocks.timedOut) {
        if (debug) log.debug(`${what()} -> cancelled (${now() - start} ms)`);
        throw e;
      }
      const action = `Cannot ${what()}`;
      const err = clocks.failure(action, e, "connection failed: ");
      if (debug) {
        log.debug(`${what()} -> ${err.message.slice(action.length + 2)} (${now() - start} ms)`);
      }
      throw err;
    }
    answered = true;
    clocks.disarm();
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
          beforeRead: () => clocks.arm(),
          onChunk: (n) => {
            clocks.disarm();
            stats.bytesDown(host, n);
          },
          onEnd: finish,
          mapError: (e) => clocks.failure(`Cannot read the answer to ${what()}`, e),
        }),
        init,
      );
    }
    Object.defineProperty(out, "url", { value: o.url.href });
    return out;
  };
}

/** The body to send: bytes as they are (counted at once), a stream watched chunk by chunk. */
function requestBody(o: Outgoing, onChunk: (n: number) => void): BodyInit | null {
  if (o.body instanceof ReadableStream) {
    return watch(o.body, { beforeRead: () => {}, onChunk, onEnd: () => {}, mapError: (e) => e });
  }
  if (o.body !== null) onChunk(o.body.byteLength);
  return o.body;
}
