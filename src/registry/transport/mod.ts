/**
 * The registry transport: fetch wrapped in the network concerns (auth, retry, per-host rate
 * limit and in-flight cap, redirects, timeouts, accounting), composed once in
 * `createTransport`. The client says what it wants; it never sleeps, sets `Authorization` or
 * counts.
 */
import type { Logger } from "../../log.ts";
import type { CredentialProvider } from "../auth/provider.ts";
import { authStep } from "./auth.ts";
import type { HostLimiter } from "./host_limiter.ts";
import { realSleep } from "./host_limiter.ts";
import { limitStep } from "./limit.ts";
import { type HttpFetch, toOutgoing } from "./outgoing.ts";
import { redirectStep } from "./redirect.ts";
import { DEFAULT_MAX_ATTEMPTS, retryStep } from "./retry.ts";
import type { TransportStats } from "./stats.ts";
import { TokenCache } from "./token_cache.ts";
import { realTimer, type Timer, wireStep } from "./wire.ts";

export type { HttpFetch, RequestHint } from "./outgoing.ts";
export { REPLAY_LIMIT } from "./outgoing.ts";
export {
  DEFAULT_MAX_IN_FLIGHT,
  defaultRequestsPerSecond,
  GOOGLE_REQUESTS_PER_SECOND,
  HostLimiter,
  HostLimiters,
} from "./host_limiter.ts";
export { type HostCounts, type StatsSnapshot, TransportStats } from "./stats.ts";
export {
  errorFromResponse,
  isTemporaryStatus,
  parseErrorBody,
  readCapped,
} from "./response_error.ts";
export { redactText, redactUrl } from "./redact.ts";
export { parseChallenges } from "./challenge.ts";
export { parseRetryAfter } from "./retry_after.ts";
export { attemptDeadlineMs, MIN_BYTES_PER_SECOND, StalledError, type Timer } from "./wire.ts";

/** Default idle timeout of a request: no progress for this long fails the attempt. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Default deadline of one attempt, whatever its progress: two minutes, plus a second per
 * 256 KiB the request is expected to carry (see `attemptDeadlineMs`).
 */
export const DEFAULT_DEADLINE_MS = 120_000;

/** Everything a transport needs; the optional parts default to the real world. */
export interface TransportOptions {
  /** The registry's host as the manifest names it (`host[:port]`), given to `credentials`. */
  host: string;
  /**
   * The registry's base URL (`https://gcr.io`): its origin is the only one credentials are
   * sent to, besides the token realm that origin's challenges name.
   */
  baseUrl: string;
  /** Credentials from src/registry/auth. */
  credentials: CredentialProvider;
  /** Per-host rate and in-flight state, shared by all transports to that host. */
  limiter: HostLimiter;
  /** Shared accounting. */
  stats: TransportStats;
  log: Logger;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Uniform random numbers in [0, 1) for backoff jitter. */
  random?: () => number;
  /** Attempts per replayable request, the first included (default 5). */
  maxAttempts?: number;
  /** Idle timeout per attempt in ms (default 60 s); see `wireStep`. */
  timeoutMs?: number;
  /** Least deadline of one attempt in ms (default 120 s); see `attemptDeadlineMs`. */
  deadlineMs?: number;
  /** Timer for the idle timeout (tests pass a fake one). */
  timer?: Timer;
}

/**
 * Builds the fetch the client uses for one registry host. Outermost first:
 *
 * 1. auth: answers 401 challenges and sends known credentials up front, to the registry's own
 *    origin only. It sits outside the retries so that token requests are themselves retried,
 *    rate-limited and counted, and so that a retried request reuses its token.
 * 2. retry: repeats replayable requests after 408/429/5xx/network errors with backoff; never
 *    repeats a stream body.
 * 3. limit: waits for the host's permit and rate slot for every attempt (and token request);
 *    a 429 pauses the whole host.
 * 4. redirects: GET and HEAD only, followed by hand inside one permit, never from https to
 *    http, `Authorization` dropped off-origin.
 * 5. wire: fetch itself, with the idle timeout and the deadline of each attempt, accounting
 *    and the debug log line per hop.
 *
 * The client's Request is converted once: small bodies with a Content-Length are buffered so
 * they can be sent again (see REPLAY_LIMIT); other bodies stream once.
 */
export function createTransport(opts: TransportOptions): HttpFetch {
  const now = opts.now ?? Date.now;
  const wire = wireStep({
    fetch: opts.fetch ?? globalThis.fetch,
    stats: opts.stats,
    log: opts.log,
    now,
    timer: opts.timer ?? realTimer,
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    deadlineMs: opts.deadlineMs ?? DEFAULT_DEADLINE_MS,
  });
  const redirected = redirectStep(wire);
  const limited = limitStep(redirected, opts.limiter, now);
  const retried = retryStep(limited, {
    maxAttempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    sleep: opts.sleep ?? realSleep,
    random: opts.random ?? Math.random,
    now,
    stats: opts.stats,
    log: opts.log,
  });
  const authed = authStep(retried, {
    host: opts.host,
    origin: new URL(opts.baseUrl).origin,
    credentials: opts.credentials,
    now,
    log: opts.log,
    cache: new TokenCache(now),
  });
  return async (req, hint) => authed(await toOutgoing(req, hint));
}
