/** Waiting times: `Retry-After` parsing and exponential backoff with full jitter (pure). */

/**
 * The wait a `Retry-After` header asks for, in milliseconds from `now`: delta-seconds or an
 * HTTP date (a date in the past means 0). Undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Backoff parameters. */
export interface Backoff {
  /** The ceiling of the first wait, in milliseconds. */
  baseMs: number;
  /** The largest ceiling, in milliseconds. */
  maxMs: number;
}

/** Defaults: ceilings of 0.5 s, 1 s, 2 s, ... up to 30 s. */
const DEFAULT_BACKOFF: Backoff = { baseMs: 500, maxMs: 30_000 };

/**
 * The wait before attempt `attempt + 1` after `attempt` failed (attempt counts from 1):
 * "full jitter", a uniformly random time between 0 and min(max, base * 2^(attempt-1)).
 */
export function backoffDelay(attempt: number, random: () => number, b = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(b.maxMs, b.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
