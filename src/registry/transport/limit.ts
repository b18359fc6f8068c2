/** The layer that makes every request wait for its host's limiter, and reports 429s to it. */
import type { HostLimiter } from "./host_limiter.ts";
import { isReplayable, type Outgoing, type Step } from "./outgoing.ts";
import { parseRetryAfter } from "./retry_after.ts";

/**
 * Holds a permit of `limiter` from before sending until the response headers arrive. A 429
 * pauses the whole host (its `Retry-After`, else the limiter's growing pause); any other
 * answer resets the limiter's 429 streak.
 */
export function limitStep(next: Step, limiter: HostLimiter, now: () => number): Step {
  return async (o: Outgoing) => {
    const release = await limiter.acquire({ bulk: !isReplayable(o) });
    let res: Response;
    try {
      res = await next(o);
    } finally {
      release();
    }
    if (res.status === 429) {
      limiter.throttle(parseRetryAfter(res.headers.get("retry-after"), now()));
    } else {
      limiter.succeeded();
    }
    return res;
  };
}
