/**
 * The one retry policy of a run: which failures are worth another attempt, how many attempts,
 * and how long to wait between them, on one clock. The transport's retry layer applies it to
 * single requests; an operation that repeats a sequence of requests (an upload restarted from
 * its beginning) applies the same policy through `repeat`.
 */
import type { Logger } from "../../log.ts";
import { RegistryError } from "../errors.ts";
import { backoffDelay, parseRetryAfter } from "./retry_after.ts";
import type { TransportStats } from "./stats.ts";

/** Statuses worth another attempt. */
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** Attempts per request or sequence by default (the first one included). */
export const DEFAULT_MAX_ATTEMPTS = 5;

/** Attempts of one request that may stall (no progress for the idle timeout) before it fails. */
export const MAX_STALLED_ATTEMPTS = 2;

/** A `Retry-After` longer than this is not waited for: the answer goes back to the caller. */
export const MAX_RETRY_AFTER_MS = 300_000;

/** What the policy needs. */
export interface RetryPolicyOptions {
  maxAttempts?: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
  stats: TransportStats;
  log: Logger;
}

/** Whether trying again may help: a temporary RegistryError anywhere in the cause chain. */
function isTemporaryFailure(e: unknown): boolean {
  return chainFind(e, (c) => c instanceof RegistryError && c.temporary) !== undefined;
}

/**
 * Whether the transport already gave the request that failed every attempt the policy allows
 * (so repeating the operation around it would multiply the attempts).
 */
export function isExhausted(e: unknown): boolean {
  return chainFind(e, (c) => c instanceof RegistryError && c.exhausted) !== undefined;
}

function chainFind(e: unknown, test: (c: unknown) => boolean): unknown {
  for (let cur = e, depth = 0; cur !== undefined && depth < 8; depth++) {
    if (test(cur)) return cur;
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return undefined;
}

/** The retry policy (see the module comment). */
export class RetryPolicy {
  /** Attempts of one request, or of one sequence, the first included. */
  readonly maxAttempts: number;
  readonly #o: RetryPolicyOptions;

  /** A policy on the given clock, counting retries in `stats`. */
  constructor(o: RetryPolicyOptions) {
    this.#o = o;
    this.maxAttempts = o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  /** The current time on the policy's clock. */
  now(): number {
    return this.#o.now();
  }

  /**
   * How long to wait before the attempt after `attempt` (counting from 1): what `Retry-After`
   * asks (null when that is longer than MAX_RETRY_AFTER_MS: do not wait, give up), else
   * exponential backoff with full jitter.
   */
  delayMs(attempt: number, retryAfter: string | null = null): number | null {
    const asked = parseRetryAfter(retryAfter, this.#o.now());
    if (asked !== undefined) return asked > MAX_RETRY_AFTER_MS ? null : asked;
    return backoffDelay(attempt, this.#o.random);
  }

  /** Waits `ms` on the policy's clock, counting a retry for `host` and saying why at debug. */
  async wait(host: string, what: string, attempt: number, ms: number, why: string): Promise<void> {
    this.#o.stats.retry(host);
    this.#o.log.debug(
      `retrying ${what} (attempt ${attempt + 1} of ${this.maxAttempts}) in ${ms} ms after ${why}`,
    );
    if (ms > 0) await this.#o.sleep(ms);
  }

  /**
   * Runs a sequence of requests that is repeated from its beginning when it fails, under the
   * policy: `attempt(n)` is called with n = 1, 2, ... while it throws a temporary failure that
   * the transport has not already retried to exhaustion, at most `maxAttempts` times, with the
   * policy's waits in between. `beforeRetry` runs after a failure and before the wait: it may
   * find that the sequence took effect after all (a lost answer) and return true to stop.
   */
  async repeat<T>(
    host: string,
    what: string,
    attempt: (n: number) => Promise<T>,
    beforeRetry?: (failure: unknown) => Promise<T | undefined>,
  ): Promise<T> {
    for (let n = 1;; n++) {
      try {
        return await attempt(n);
      } catch (e) {
        if (!isTemporaryFailure(e) || isExhausted(e) || n >= this.maxAttempts) throw e;
        const done = await beforeRetry?.(e);
        if (done !== undefined) return done;
        const retryAfter = e instanceof RegistryError ? e.retryAfter ?? null : null;
        const ms = this.delayMs(n, retryAfter);
        if (ms === null) throw e;
        await this.wait(host, what, n, ms, e instanceof Error ? e.message : String(e));
      }
    }
  }
}
