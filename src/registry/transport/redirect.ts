/** Redirects followed by hand, so that credentials never leave the origin they were meant for. */
import { RegistryError } from "../errors.ts";
import type { Outgoing, Step } from "./outgoing.ts";
import { redactUrl } from "./redact.ts";

/** Redirect statuses this layer follows. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** How many redirects one request may follow by default. */
export const MAX_REDIRECTS = 5;

/** Methods whose redirects are followed: reads, which carry no body. */
const FOLLOWED = new Set(["GET", "HEAD"]);

/**
 * Follows up to `maxHops` redirects of GET and HEAD requests (blob reads are redirected to
 * storage). `Authorization` is dropped as soon as a hop leaves the original request's origin
 * (scheme, host and port) and is not restored later; a hop from https to plain http is an
 * error. Any other method gets the redirect answer back: a write (PUT, PATCH, POST, DELETE)
 * goes nowhere but where cip sent it, and its body never reaches another origin.
 */
export function redirectStep(next: Step, maxHops = MAX_REDIRECTS): Step {
  return async (o: Outgoing) => {
    let cur = o;
    for (let hop = 0;; hop++) {
      const res = await next(cur);
      if (!REDIRECTS.has(res.status) || !FOLLOWED.has(cur.method)) return res;
      const location = res.headers.get("location");
      if (location === null) return res;
      let target: URL;
      try {
        target = new URL(location, cur.url);
      } catch {
        return res;
      }
      if (target.protocol !== "http:" && target.protocol !== "https:") return res;
      await res.body?.cancel();
      if (cur.url.protocol === "https:" && target.protocol === "http:") {
        throw new RegistryError(
          `Cannot ${o.method} ${redactUrl(o.url)}: it was redirected from https to plain http ` +
            `(${target.origin}); cip does not follow such redirects`,
        );
      }
      if (hop >= maxHops) {
        throw new RegistryError(
          `Cannot ${o.method} ${redactUrl(o.url)}: more than ${maxHops} redirects`,
        );
      }
      const headers = new Headers(cur.headers);
      if (target.origin !== o.url.origin) headers.delete("authorization");
      cur = { ...cur, url: target, headers };
    }
  };
}
