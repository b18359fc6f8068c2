/** What the HTTP backend's operations share: the transport, the registry's URL, their limits. */
import type { ListingLimits } from "./link.ts";
import type { HttpFetch } from "./http_fetch.ts";
import { isDigest } from "../reference.ts";

/** One registry's context, built by HttpBackend and passed to every operation. */
export interface HttpContext {
  /** The transport (or `plainHttpFetch`). */
  fetch: HttpFetch;
  /** The registry base URL, e.g. `https://gcr.io`. */
  base: string;
  /** `host[:port]`, for messages. */
  display: string;
  /** `host[:port]`. */
  host: string;
  /** Listing page size asked with `n=`. */
  pageSize: number;
  /** Bounds of one listing. */
  limits: ListingLimits;
  /** Known-size blobs up to this many bytes are uploaded with one PUT. */
  monolithicLimit: number;
  /** Per repository: whether its last tags/list answer carried the GCR/AR extension. */
  extensionAt: Map<string, boolean>;
}

/** A URL of the registry: `path` against its base URL. */
export function urlOf(ctx: HttpContext, path: string): URL {
  return new URL(path, ctx.base);
}

/** The token scope for reading a repository. */
export function pullScope(repo: string): string {
  return `repository:${repo}:pull`;
}

/** The token scope for writing a repository. */
export function pushScope(repo: string): string {
  return `repository:${repo}:pull,push`;
}

/** `@digest` or `:tag`, for messages about a reference. */
export function refText(ref: string): string {
  return isDigest(ref) ? `@${ref}` : `:${ref}`;
}
