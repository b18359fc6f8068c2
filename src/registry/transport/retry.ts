/** The layer that repeats single requests after temporary failures, by the run's RetryPolicy. */
import { RegistryError } from "../errors.ts";
import { markExhausted } from "./exhausted.ts";
import { isReplayable, type Outgoing, type Step } from "./outgoing.ts";
import { redactUrl } from "./redact.ts";
import { MAX_STALLED_ATTEMPTS, RETRYABLE_STATUS, type RetryPolicy } from "./retry_policy.ts";
import { StalledError } from "./attempt_clocks.ts";

/**
 * Repeats a request after a retryable status (408, 429, 500, 502, 503, 504) or a network
 * failure (a temporary RegistryError without status), as `policy` says: at most
 * `policy.maxAttempts` attempts, and a request that stalled twice is not tried again. Waits
 * what `Retry-After` asks, else backoff with full jitter; after a 429 it waits nothing itself,
 * since the host limiter below pauses every request to the host.
 *
 * Not repeated: a request with a stream body (it cannot be sent again), and one whose caller
 * said `retry: "caller"` (it repeats a whole sequence itself, e.g. an upload whose commit may
 * have taken effect). Their first answer or error goes back as it is.
 *
 * With `read`, the answer's body is read whole (at most that many bytes) inside the attempt,
 * so an answer that breaks off is repeated like a lost one; the Response handed back holds
 * the bytes.
 *
 * After the last attempt the last answer is returned (marked exhausted, see errorFromResponse)
 * or the last network error thrown with `exhausted` set.
 */
export function retryStep(next: Step, policy: RetryPolicy): Step {
  return async (o: Outgoing) => {
    const single = !isReplayable(o) || o.retry !== undefined;
    let stalls = 0;
    for (let attempt = 1;; attempt++) {
      const last = single || attempt >= policy.maxAttempts;
      let res: Response;
      try {
        res = await next(o);
        if (o.read !== undefined && !RETRYABLE_STATUS.has(res.status)) {
          res = await readWhole(res, o.read, what(o));
        }
      } catch (e) {
        const network = e instanceof RegistryError && e.temporary && e.status === undefined;
        if (e instanceof StalledError) stalls++;
        const stop = last || o.signal?.aborted || stalls >= MAX_STALLED_ATTEMPTS;
        if (network && stop && !single) e.exhausted = true;
        if (!network || stop) throw e;
        await policy.wait(o.url.host, what(o), attempt, policy.delayMs(attempt)!, e.message);
        continue;
      }
      if (!RETRYABLE_STATUS.has(res.status)) return res;
      if (last) return single ? res : markExhausted(res);
      const delay = policy.delayMs(attempt, res.headers.get("retry-after"));
      if (delay === null) return res;
      await res.body?.cancel();
      if (res.status === 429) {
        await policy.wait(o.url.host, what(o), attempt, 0, "429 (the host is paused)");
      } else {
        await policy.wait(o.url.host, what(o), attempt, delay, `status ${res.status}`);
      }
    }
  };
}

function what(o: Outgoing): string {
  return `${o.method} ${redactUrl(o.url)}`;
}

/**
 * Reads an answer's body whole, at most `limit` bytes (the rest is cancelled: the caller sees
 * that it reached the limit). A body that breaks off throws the wire's temporary RegistryError.
 */
async function readWhole(res: Response, limit: number, label: string): Promise<Response> {
  const init = { status: res.status, statusText: res.statusText, headers: res.headers };
  if (res.body === null) return res;
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      size += value.byteLength;
    }
  } catch (e) {
    reader.releaseLock();
    if (e instanceof RegistryError) throw e;
    throw new RegistryError(`Cannot read the answer to ${label}: it broke off`, {
      temporary: true,
      cause: e,
    });
  }
  await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(Math.min(size, limit));
  let at = 0;
  for (const p of parts) {
    const part = p.subarray(0, bytes.length - at);
    bytes.set(part, at);
    at += part.length;
  }
  const out = new Response(bytes, init);
  Object.defineProperty(out, "url", { value: res.url });
  return out;
}
