/** Builds transports on fake fetch handlers and a fake clock for the transport tests. */
import { Logger } from "../../../src/log.ts";
import { ANONYMOUS, type CredentialProvider } from "../../../src/registry/auth/provider.ts";
import {
  createTransport,
  HostLimiters,
  type HttpFetch,
  TransportStats,
} from "../../../src/registry/transport/mod.ts";
import { FakeClock } from "../../fakes/clock.ts";

/** A transport under test with everything it touches. */
export interface Harness {
  fetch: HttpFetch;
  clock: FakeClock;
  stats: TransportStats;
  limiters: HostLimiters;
  /** Every log line written (debug level). */
  lines: string[];
}

/** Options of `harness`. */
export interface HarnessOptions {
  credentials?: CredentialProvider;
  requestsPerSecond?: number;
  maxInFlight?: number;
  maxAttempts?: number;
  timeoutMs?: number;
  random?: () => number;
  clock?: FakeClock;
  /** The registry's host (default `reg.test`). */
  host?: string;
  /** The registry's base URL (default `https://<host>`). */
  baseUrl?: string;
}

/** A transport whose fetch is `handler`, on a fake clock, logging at debug level. */
export function harness(handler: typeof fetch, o: HarnessOptions = {}): Harness {
  const clock = o.clock ?? new FakeClock();
  const lines: string[] = [];
  const log = new Logger("debug", (t) => lines.push(t), false, clock.now);
  const stats = new TransportStats();
  const limiters = new HostLimiters({
    requestsPerSecond: () => o.requestsPerSecond ?? 0,
    maxInFlight: o.maxInFlight ?? 20,
    now: clock.now,
    sleep: clock.sleep,
  });
  const host = o.host ?? "reg.test";
  const fetch = createTransport({
    host,
    baseUrl: o.baseUrl ?? `https://${host}`,
    credentials: o.credentials ?? ANONYMOUS,
    limiter: limiters.for(host),
    stats,
    log,
    fetch: handler,
    now: clock.now,
    sleep: clock.sleep,
    timer: clock.timer,
    random: o.random ?? (() => 1),
    ...(o.maxAttempts !== undefined ? { maxAttempts: o.maxAttempts } : {}),
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
  });
  return { fetch, clock, stats, limiters, lines };
}

/** A fetch handler answering from a list of functions in turn, recording each request. */
export function scripted(
  answers: ((req: Request) => Response | Promise<Response>)[],
): typeof fetch & { requests: Request[] } {
  const requests: Request[] = [];
  const f = (input: string | URL | Request, init?: RequestInit) => {
    const req = new Request(input, init);
    requests.push(req);
    const a = answers[Math.min(requests.length - 1, answers.length - 1)];
    if (!a) throw new Error("scripted: no answers");
    return Promise.resolve(a(req));
  };
  return Object.assign(f, { requests }) as typeof fetch & { requests: Request[] };
}

/** A body stream of `n` zero bytes in chunks of `chunk`. */
export function zeros(n: number, chunk = 1024): ReadableStream<Uint8Array> {
  let left = n;
  return new ReadableStream({
    pull(c) {
      if (left <= 0) return c.close();
      const k = Math.min(chunk, left);
      left -= k;
      c.enqueue(new Uint8Array(k));
    },
  });
}

/**
 * A body that yields `n` chunks of `chunk` bytes (forever when `n` is Infinity), each after
 * `gapMs` of the clock's virtual time.
 */
export function slowBody(
  clock: FakeClock,
  n: number,
  gapMs: number,
  chunk = 100,
): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    async pull(c) {
      if (i++ >= n) return c.close();
      await clock.sleep(gapMs);
      c.enqueue(new Uint8Array(chunk));
    },
  }, { highWaterMark: 0 });
}
