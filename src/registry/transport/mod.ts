/**
 * The registry transport: fetch wrapped in the network concerns (auth, retry, per-host rate
 * limit and in-flight cap, redirects, timeouts, accounting), composed once in
 * `createTransport`. The client says what it wants; it never sleeps, sets `Authorization` or
 * counts.
 */
import type { Logger } from "../../log.ts";
import type { CredentialProvider } from "../auth/provider.ts";
import { authStep } from "./auth.ts";
import type { HostLimiter, HostLimiters } from "./host_limiter.ts";
import { realSleep } from "./host_limiter.ts";
import { limitStep } from "./limit.ts";
import { type HttpFetch, type Step, toOutgoing } from "./outgoing.ts";
import { redirectStep } from "./redirect.ts";
import { retryStep } from "./retry.ts";
import { RetryPolicy } from "./retry_policy.ts";
import type { TransportStats } from "./stats.ts";
import { TokenCache } from "./token_cache.ts";
import { realTimer, type Timer } from "./attempt_clocks.ts";
import { wireStep } from "./wire.ts";

export type { HttpFetch, RequestHint } from "./outgoing.ts";
export {
  DEFAULT_MAX_IN_FLIGHT,
  defaultRequestsPerSecond,
  HostLimiter,
  HostLimiters,
  realSleep,
} from "./host_limiter.ts";
export { type HostCounts, type StatsSnapshot, TransportStats } from "./stats.ts";
export { errorFromResponse, parseErrorBody, readCapped } from "./response_error.ts";
export { redactText, redactUrl } from "./redact.ts";
export { parseChallenges } from "./challenge.ts";
export { parseRetryAfter } from "./retry_after.ts";
export {
  DEFAULT_MAX_ATTEMPTS,
  isExhausted,
  MAX_RETRY_AFTER_MS,
  MAX_STALLED_ATTEMPTS,
  RETRYABLE_STATUS,
  RetryPolicy,
} from "./retry_policy.ts";
export {
  attemptDeadlineMs,
  MIN_BYTES_PER_SECOND,
  StalledError,
  type Timer,
} from "./attempt_clocks.ts";

/** Default idle timeout of a request: no progress for this long fails the attempt. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Default deadline of one attempt, whatever its progress: two minutes, plus a second per
 * 256 KiB the request is expected to carry (see `attemptDeadlineMs`).
 */
export const DEFAULT_DEADLINE_MS = 120_000;

/** What every transport needs: accounting, the retry policy and the clock. */
export interface CommonTransportOptions {
  /** Shared accounting. */
  stats: TransportStats;
  log: Logger;
  /** The run's one retry policy (default: one made from `sleep`, `random`, `maxAttempts`). */
  policy?: RetryPolicy;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Uniform random numbers in [0, 1) for backoff jitter (without `policy`). */
  random?: () => number;
  /** Attempts per replayable request, the first included (default 5; without `policy`). */
  maxAttempts?: number;
  /** Idle timeout per attempt in ms (default 60 s); see `wireStep`. */
  timeoutMs?: number;
  /** Least deadline of one attempt in ms (default 120 s); see `attemptDeadlineMs`. */
  deadlineMs?: number;
  /** Timer for the idle timeout (tests pass a fake one). */
  timer?: Timer;
}

/** Everything a registry's transport needs; the optional parts default to the real world. */
export interface TransportOptions extends CommonTransportOptions {
  /** Per-host rate and in-flight state, shared by all transports to that host. */
  limiter: HostLimiter;
  /** The registry's host as the manifest names it (`host[:port]`), given to `credentials`. */
  host: string;
  /**
   * The registry's base URL (`https://gcr.io`): its origin is the only one credentials are
   * sent to, besides the token realm that origin's challenges name.
   */
  baseUrl: string;
  /** Credentials from src/registry/auth. */
  credentials: CredentialProvider;
}

/**
 * Builds the fetch the client uses for one registry host. Outermost first:
 *
 * 1. auth: answers 401 challenges and sends known credentials up front, to the registry's own
 *    origin only. It sits outside the retries so that token requests are themselves retried,
 *    rate-limited and counted, and so that a retried request reuses its token.
 * 2. retry: repeats requests by the run's RetryPolicy (see retryStep): never a stream body,
 *    never one whose caller repeats its whole sequence itself.
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
  const limited = limitStep(redirectStep(wireOf(opts)), opts.limiter, now);
  const authed = authStep(retryStep(limited, policyOf(opts)), {
    host: opts.host,
    origin: new URL(opts.baseUrl).origin,
    credentials: opts.credentials,
    now,
    log: opts.log,
    cache: new TokenCache(now),
  });
  return async (req, hint) => authed(await toOutgoing(req, hint));
}

/**
 * Builds the fetch for calls to services that are not registries (Google's token, metadata
 * and IAM credentials endpoints): retry, per-host limit and wire as for registries, so the
 * calls share the run's retry policy, limits, counts and redaction; no challenge answering
 * (the caller sets its own headers) and no redirects (an answer 3xx is returned as it is).
 */
export function createCallTransport(
  opts: CommonTransportOptions & { limiters: HostLimiters },
): HttpFetch {
  const wire = wireOf(opts);
  const now = opts.now ?? Date.now;
  const limited: Step = (o) => limitStep(wire, opts.limiters.for(o.url.host), now)(o);
  const retried = retryStep(limited, policyOf(opts));
  return async (req, hint) => retried(await toOutgoing(req, hint));
}

function wireOf(opts: CommonTransportOptions) {
  return wireStep({
    fetch: opts.fetch ?? globalThis.fetch,
    stats: opts.stats,
    log: opts.log,
    now: opts.now ?? Date.now,
    timer: opts.timer ?? realTimer,
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    deadlineMs: opts.deadlineMs ?? DEFAULT_DEADLINE_MS,
  });
}

function policyOf(opts: CommonTransportOptions): RetryPolicy {
  return opts.policy ?? new RetryPolicy({
    ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
    sleep: opts.sleep ?? realSleep,
    random: opts.random ?? Math.random,
    now: opts.now ?? Date.now,
    stats: opts.stats,
    log: opts.log,
  });
}
