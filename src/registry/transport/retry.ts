/** The layer that repeats requests after temporary failures. */
import type { Logger } from "../../log.ts";
import { RegistryError } from "../errors.ts";
import { isReplayable, type Outgoing, type Step } from "./outgoing.ts";
import { redactUrl } from "./redact.ts";
import { backoffDelay, parseRetryAfter } from "./retry_after.ts";
import type { TransportStats } from "./stats.ts";
import { StalledError } from "./wire.ts";

/** Statuses worth another attempt. */
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** Attempts per request by default (the first one included). */
export const DEFAULT_MAX_ATTEMPTS = 5;

/** Attempts of one request that may stall (no progress for the idle timeout) before it fails. */
export const MAX_STALLED_ATTEMPTS = 2;

/** A `Retry-After` longer than this is not waited for: the answer goes back to the caller. */
export const MAX_RETRY_AFTER_MS = 300_000;

/** What the retry layer needs. */
export interface RetryOptions {
  maxAttempts: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
  stats: TransportStats;
  log: Logger;
}

/**
 * Repeats a replayable request after a retryable status (408, 429, 500, 502, 503, 504) or a
 * network failure (temporary RegistryError without status), up to `maxAttempts` attempts; a
 * request that stalled (StalledError) twice is not tried again.
 * Waits `Retry-After` when given, else exponential backoff with full jitter; after a 429 it
 * waits nothing itself, since the host limiter below pauses every request to the host.
 * Bodies of discarded answers are cancelled. A request with a stream body is never repeated:
 * its answer (or error) goes back to the caller, who retries the whole operation. After the
 * last attempt the last answer is returned, or the last network error thrown.
 */
export function retryStep(next: Step, opts: RetryOptions): Step {
  return async (o: Outgoing) => {
    let stalls = 0;
    for (let attempt = 1;; attempt++) {
      const last = attempt >= opts.maxAttempts || !isReplayable(o);
      let res: Response;
      try {
        res = await next(o);
      } catch (e) {
        const network = e instanceof RegistryError && e.temporary && e.status === undefined;
        if (e instanceof StalledError) stalls++;
        if (!network || last || o.signal?.aborted || stalls >= MAX_STALLED_ATTEMPTS) throw e;
        const delay = backoffDelay(attempt, opts.random);
        note(o, attempt, delay, e.message);
        await opts.sleep(delay);
        continue;
      }
      if (!RETRYABLE_STATUS.has(res.status) || last) return res;
      const retryAfter = parseRetryAfter(res.headers.get("retry-after"), opts.now());
      if (retryAfter !== undefined && retryAfter > MAX_RETRY_AFTER_MS) return res;
      await res.body?.cancel();
      if (res.status === 429) {
        note(o, attempt, 0, "429 Too Many Requests (the host is paused)");
      } else {
        const delay = retryAfter ?? backoffDelay(attempt, opts.random);
        note(o, attempt, delay, `status ${res.status}`);
        await opts.sleep(delay);
      }
    }
  };

  function note(o: Outgoing, attempt: number, delay: number, why: string): void {
    opts.stats.retry(o.url.host);
    opts.log.debug(
      `retrying ${o.method} ${redactUrl(o.url)} (attempt ${attempt + 1} of ${opts.maxAttempts}) ` +
        `in ${delay} ms after ${why}`,
    );
  }
}
