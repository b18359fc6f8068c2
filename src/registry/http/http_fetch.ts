/** An HttpFetch (the transport's contract) over a plain fetch, for tests and tools. */
import type { HttpFetch } from "../transport/mod.ts";

export type { HttpFetch, RequestHint } from "../transport/mod.ts";

/** An HttpFetch that adds nothing: no auth, no retry, no limits, fetch's own redirects. */
export function plainHttpFetch(f: typeof fetch = globalThis.fetch): HttpFetch {
  return (req) => f(req);
}
