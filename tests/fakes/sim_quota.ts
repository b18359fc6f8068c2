/**
 * What sits between a client and a simulated registry host: a request quota (a token bucket
 * answering 429 TOOMANYREQUESTS when it is empty), an injected round-trip latency, and the
 * accounting of every request by host, kind and phase of the run.
 */
import { ociError } from "./registry_faults.ts";
import { isWrite, type RequestKind, requestKind } from "./sim_registry.ts";

/**
 * A token bucket: `rate` tokens per second, at most `burst` stored. Artifact Registry counts
 * its quota per minute; a bucket of one second's worth is the stricter reading of "N requests
 * per second", and the shape of cip's own limiter (a burst of one second's worth).
 */
export class TokenBucket {
  #tokens: number;
  #last: number;

  /** A full bucket at time `now()`. */
  constructor(readonly rate: number, readonly burst: number, readonly now: () => number) {
    this.#tokens = burst;
    this.#last = now();
  }

  /** Takes one token; false when the bucket is empty (the request is over the quota). */
  take(): boolean {
    const t = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((t - this.#last) * this.rate) / 1000);
    this.#last = t;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** A seeded uniform random source (mulberry32), for reproducible latencies. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The phases of a run, told apart by the first request of a kind. */
export type Phase = "before destinations" | "destinations" | "writes";

/** Request counts of a run: per phase, per host, per kind; 429s per host. */
export class RequestCounter {
  readonly counts = new Map<Phase, Map<string, Map<RequestKind, number>>>();
  readonly throttled = new Map<string, number>();
  /** When each host got its first and last request (ms since `reset()`). */
  readonly span = new Map<string, { first: number; last: number }>();
  /** When each phase began (ms since `reset()`). */
  readonly phaseStart = new Map<Phase, number>();
  /** How much later than their latency the answers left (a busy simulator): sum, max, count. */
  readonly late = { sum: 0, max: 0, count: 0 };
  #phase: Phase = "before destinations";
  #t0 = performance.now();

  /** `destinations`: the hosts whose first request starts the "destinations" phase. */
  constructor(readonly destinations: ReadonlySet<string>) {
    this.reset();
  }

  /** Forgets every count: a new run starts. */
  reset(): void {
    this.counts.clear();
    this.throttled.clear();
    this.span.clear();
    this.phaseStart.clear();
    Object.assign(this.late, { sum: 0, max: 0, count: 0 });
    this.#phase = "before destinations";
    this.#t0 = performance.now();
    this.phaseStart.set(this.#phase, 0);
  }

  /** Records one request; `over` when it was answered 429. */
  record(host: string, kind: RequestKind, over: boolean): void {
    const t = performance.now() - this.#t0;
    if (this.#phase === "before destinations" && this.destinations.has(host)) {
      this.#enter("destinations", t);
    }
    if (this.#phase !== "writes" && isWrite(kind)) this.#enter("writes", t);
    let byHost = this.counts.get(this.#phase);
    if (!byHost) this.counts.set(this.#phase, byHost = new Map());
    let byKind = byHost.get(host);
    if (!byKind) byHost.set(host, byKind = new Map());
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    if (over) this.throttled.set(host, (this.throttled.get(host) ?? 0) + 1);
    const s = this.span.get(host);
    if (s) s.last = t;
    else this.span.set(host, { first: t, last: t });
  }

  #enter(phase: Phase, t: number): void {
    this.#phase = phase;
    if (!this.phaseStart.has(phase)) this.phaseStart.set(phase, t);
  }

  /** Requests per host and kind over all phases. */
  total(): Map<string, Map<RequestKind, number>> {
    const out = new Map<string, Map<RequestKind, number>>();
    for (const byHost of this.counts.values()) {
      for (const [host, byKind] of byHost) {
        let o = out.get(host);
        if (!o) out.set(host, o = new Map());
        for (const [k, n] of byKind) o.set(k, (o.get(k) ?? 0) + n);
      }
    }
    return out;
  }
}

/** How one host is wrapped. */
export interface QuotaOptions {
  /** The host's name in the accounting. */
  host: string;
  /** The quota; none when absent. */
  bucket?: TokenBucket;
  /** Send `Retry-After: <seconds>` with every 429; none when absent. */
  retryAfterSeconds?: number;
  /** The round-trip latency of the next request, in ms. */
  latency: () => number;
  counter: RequestCounter;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Wraps a host's handler: counts the request, answers 429 TOOMANYREQUESTS when the quota is
 * spent (429s count against nothing), else lets the handler answer; either way the answer
 * leaves no earlier than `latency()` ms after the request arrived.
 */
export function withQuota(
  inner: (req: Request) => Promise<Response>,
  o: QuotaOptions,
): (req: Request) => Promise<Response> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return async (req) => {
    const arrived = performance.now();
    const delay = o.latency();
    const kind = requestKind(req.method, new URL(req.url));
    const over = o.bucket !== undefined && !o.bucket.take();
    o.counter.record(o.host, kind, over);
    let res: Response;
    if (over) {
      await req.body?.cancel();
      const headers: Record<string, string> = {};
      if (o.retryAfterSeconds !== undefined) headers["Retry-After"] = String(o.retryAfterSeconds);
      res = ociError(
        429,
        "TOOMANYREQUESTS",
        "Quota exceeded for quota metric 'Requests per project per region' (simulated)",
        headers,
      );
    } else {
      res = await inner(req);
    }
    const left = arrived + delay - performance.now();
    if (left > 0) await sleep(left);
    const late = performance.now() - arrived - delay;
    o.counter.late.sum += Math.max(0, late);
    o.counter.late.max = Math.max(o.counter.late.max, late);
    o.counter.late.count++;
    return res;
  };
}
