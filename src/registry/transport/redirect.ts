/** Redirects followed by hand, so that credentials never leave the origin they were meant for. */
import { RegistryError } from "../errors.ts";
import { isReplayable, type Outgoing, type Step } from "./outgoing.ts";
import { redactUrl } from "./redact.ts";

/** Redirect statuses this layer follows. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** How many redirects one request may follow by default. */
export const MAX_REDIRECTS = 5;

/**
 * Follows up to `maxHops` redirects. `Authorization` is dropped as soon as a hop leaves the
 * original request's origin (scheme, host and port) and is not restored later. 303 (and 301/302
 * after a POST) continue as a GET without a body; 307/308 resend the body, which only a
 * replayable request can do (a stream-body request gets the redirect response back).
 */
export function redirectStep(next: Step, maxHops = MAX_REDIRECTS): Step {
  return async (o: Outgoing) => {
    let cur = o;
    for (let hop = 0;; hop++) {
      const res = await next(cur);
      if (!REDIRECTS.has(res.status)) return res;
      const location = res.headers.get("location");
      if (location === null) return res;
      let target: URL;
      try {
        target = new URL(location, cur.url);
      } catch {
        return res;
      }
      if (target.protocol !== "http:" && target.protocol !== "https:") return res;
      const toGet = res.status === 303 ||
        ((res.status === 301 || res.status === 302) && cur.method === "POST");
      if (!toGet && cur.body !== null && !isReplayable(cur)) return res;
      await res.body?.cancel();
      if (hop >= maxHops) {
        throw new RegistryError(
          `Cannot ${o.method} ${redactUrl(o.url)}: more than ${maxHops} redirects`,
        );
      }
      const headers = new Headers(cur.headers);
      if (target.origin !== o.url.origin) headers.delete("authorization");
      if (toGet) {
        headers.delete("content-type");
        cur = {
          ...cur,
          url: target,
          headers,
          method: cur.method === "HEAD" ? "HEAD" : "GET",
          body: null,
        };
      } else {
        cur = { ...cur, url: target, headers };
      }
    }
  };
}
