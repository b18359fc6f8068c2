/**
 * The function the client sends requests through: the transport's contract. The transport
 * adds auth, retries, rate limits, redirects and accounting; `plainHttpFetch` adds nothing.
 */

/** Token scopes a request needs, push scope first (`repository:dst:pull,push`). */
export interface RequestHint {
  scopes?: string[];
}

/** What the client calls instead of fetch. */
export type HttpFetch = (req: Request, hint?: RequestHint) => Promise<Response>;

/** An HttpFetch over a plain fetch (no auth, no retry): for tests and unauthenticated use. */
export function plainHttpFetch(f: typeof fetch = globalThis.fetch): HttpFetch {
  return (req) => f(req);
}
