/**
 * Per-host politeness: a request rate (token bucket), a cap on requests in flight, and a
 * pause shared by every request to the host after a 429.
 */
import { isGoogleHost } from "../reference.ts";
import { Semaphore } from "./semaphore.ts";

/** The limits of one host. */
export interface HostLimits {
  /** Requests per second; 0 = unlimited. */
  requestsPerSecond: number;
  /** Requests waiting for an answer at once. */
  maxInFlight: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** The pause after a 429 without `Retry-After`: 1 s, doubling per 429 in a row, up to this. */
const MAX_PAUSE_MS = 32_000;
/**
 * The longest pause a `Retry-After` may impose on a host. A longer one pauses nothing: the
 * retry layer gives the 429 back to its caller at once (MAX_RETRY_AFTER_MS), so holding every
 * other request to the host for minutes would only delay the same failure.
 */
const MAX_RETRY_AFTER_PAUSE_MS = 300_000;

/** Real sleep. */
export const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The state every request to one host shares.
 *
 * In-flight cap: a permit is held from before the request is sent until its response headers
 * arrive (a response body being read does not hold one), so a HEAD never waits behind the body
 * of a big blob download. Requests whose body is a stream (blob uploads) hold their permit
 * while the body is sent; they are "bulk" and may take only `maxInFlight - floor(maxInFlight/4)`
 * permits at once, which keeps a quarter of the permits for small requests.
 *
 * Rate: a token bucket of `requestsPerSecond` with a burst of one second's worth, implemented
 * as virtual scheduling (every caller reserves the next free send time, first come first served).
 *
 * 429: `throttle()` pauses the whole host (Retry-After, else 1 s doubling per 429 in a row) and
 * empties the bucket, so requests resume at the steady rate without a burst.
 */
export class HostLimiter {
  readonly #interval: number;
  readonly #tolerance: number;
  readonly #all: Semaphore;
  readonly #bulk: Semaphore;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  #tat = Number.NEGATIVE_INFINITY;
  #pausedUntil = Number.NEGATIVE_INFINITY;
  #strikes = 0;

  /** A limiter for one host. */
  constructor(readonly host: string, limits: HostLimits) {
    const rps = limits.requestsPerSecond;
    this.#interval = rps > 0 ? 1000 / rps : 0;
    this.#tolerance = rps > 0 ? (Math.max(1, Math.floor(rps)) - 1) * this.#interval : 0;
    const cap = Math.max(1, Math.floor(limits.maxInFlight));
    this.#all = new Semaphore(cap);
    this.#bulk = new Semaphore(Math.max(1, cap - Math.floor(cap / 4)));
    this.#now = limits.now ?? Date.now;
    this.#sleep = limits.sleep ?? realSleep;
  }

  /** Requests holding a permit right now. */
  get inFlight(): number {
    return this.#all.held;
  }

  /** Until when the host is paused after a 429 (epoch ms; in the past when not paused). */
  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /**
   * Waits until a request may be sent: a permit (bulk lane first for stream uploads), the end
   * of any pause, and a slot of the rate. The returned function releases the permits.
   */
  async acquire(kind: { bulk?: boolean } = {}): Promise<() => void> {
    const releaseBulk = kind.bulk ? await this.#bulk.acquire() : undefined;
    const releaseAll = await this.#all.acquire();
    const release = () => {
      releaseAll();
      releaseBulk?.();
    };
    try {
      await this.#awaitTurn();
    } catch (e) {
      release();
      throw e;
    }
    return release;
  }

  async #awaitTurn(): Promise<void> {
    for (;;) {
      let now = this.#now();
      if (now < this.#pausedUntil) {
        await this.#sleep(this.#pausedUntil - now);
        continue;
      }
      if (this.#interval === 0) return;
      const tat = Math.max(this.#tat, now);
      const wait = tat - this.#tolerance - now;
      this.#tat = tat + this.#interval;
      if (wait > 0) await this.#sleep(wait);
      now = this.#now();
      if (now >= this.#pausedUntil) return;
    }
  }

  /**
   * Records a 429: pauses every request to the host for `retryAfterMs`, or when absent 1 s
   * doubling with each 429 in a row (up to 32 s). A `retryAfterMs` above 5 min pauses nothing:
   * nobody waits that long, the 429 fails its request.
   */
  throttle(retryAfterMs?: number): void {
    this.#strikes++;
    if (retryAfterMs !== undefined && retryAfterMs > MAX_RETRY_AFTER_PAUSE_MS) return;
    const pause = retryAfterMs !== undefined
      ? retryAfterMs
      : Math.min(MAX_PAUSE_MS, 1000 * 2 ** (this.#strikes - 1));
    const until = this.#now() + pause;
    if (until > this.#pausedUntil) this.#pausedUntil = until;
    if (this.#interval > 0) {
      this.#tat = Math.max(this.#tat, this.#pausedUntil + this.#tolerance);
    }
  }

  /** Records an answer that was not a 429: the next 429 starts the pause at 1 s again. */
  succeeded(): void {
    this.#strikes = 0;
  }
}

/** Per-host limits, shared by every transport that talks to a host. */
export class HostLimiters {
  readonly #limiters = new Map<string, HostLimiter>();

  /** `requestsPerSecond(host)`: 0 = unlimited. `maxInFlight`: the `--threads` cap. */
  constructor(
    readonly opts: {
      requestsPerSecond: (host: string) => number;
      maxInFlight: number;
      now?: () => number;
      sleep?: (ms: number) => Promise<void>;
    },
  ) {}

  /** The one limiter of `host` (host[:port]), created on first use. */
  for(host: string): HostLimiter {
    const key = host.toLowerCase();
    let l = this.#limiters.get(key);
    if (!l) {
      const limits: HostLimits = {
        requestsPerSecond: this.opts.requestsPerSecond(key),
        maxInFlight: this.opts.maxInFlight,
      };
      if (this.opts.now) limits.now = this.opts.now;
      if (this.opts.sleep) limits.sleep = this.opts.sleep;
      l = new HostLimiter(key, limits);
      this.#limiters.set(key, l);
    }
    return l;
  }
}

/** Default requests per second on Google hosts (Artifact Registry's quota, with margin). */
const GOOGLE_REQUESTS_PER_SECOND = 50;

/** Default requests in flight per host (`--threads`). */
export const DEFAULT_MAX_IN_FLIGHT = 20;

/**
 * The rate of `host`: `override` (`--max-requests-per-second`, 0 = unlimited) when given,
 * else 50 on Google hosts and unlimited elsewhere.
 */
export function defaultRequestsPerSecond(host: string, override?: number): number {
  if (override !== undefined) return override;
  return isGoogleHost(host) ? GOOGLE_REQUESTS_PER_SECOND : 0;
}
