/** Pagination by `Link: <url>; rel="next"` headers (pure). */
import { outsideText } from "../../safe_text.ts";
import { RegistryError } from "../errors.ts";

/** The `rel="next"` target of a Link header, resolved against `base`, or undefined. */
export function nextLink(header: string | null, base: URL): URL | undefined {
  if (header === null) return undefined;
  for (const part of splitLinks(header)) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m === null) continue;
    const params = m[2]!.split(";").map((p) => p.trim());
    const isNext = params.some((p) => {
      const kv = /^rel\s*=\s*"?([^"]*)"?$/i.exec(p);
      return kv !== null && kv[1]!.split(/\s+/).includes("next");
    });
    if (!isNext) continue;
    try {
      return new URL(m[1]!, base);
    } catch {
      throw new RegistryError(`registry sent a malformed pagination link: ${outsideText(m[1]!)}`);
    }
  }
  return undefined;
}

/** Splits a Link header at commas that are outside `<...>` and quotes. */
function splitLinks(header: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < header.length; i++) {
    const c = header[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === "<") depth++;
    else if (!quoted && c === ">") depth--;
    else if (!quoted && depth === 0 && c === ",") {
      parts.push(header.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(header.slice(start));
  return parts;
}

/**
 * The next page URL, accepted only on the same scheme and host as the listing; a link to
 * another origin, or back to a page already read, is an error.
 */
export function checkedNextLink(
  header: string | null,
  current: URL,
  seen: Set<string>,
): URL | undefined {
  const next = nextLink(header, current);
  if (next === undefined) return undefined;
  if (next.protocol !== current.protocol || next.host !== current.host) {
    throw new RegistryError(
      `Cannot follow pagination of ${current.host}: the next page is on another origin ` +
        `(${next.protocol}//${next.host})`,
    );
  }
  if (seen.has(next.href)) {
    throw new RegistryError(`Cannot follow pagination of ${current.host}: the pages loop`);
  }
  seen.add(next.href);
  return next;
}

/** Pages in a row that may bring no new entry before a listing is taken to be endless. */
export const MAX_IDLE_PAGES = 10;

/** The bounds of one listing (the tags of a repository, the repositories of a registry). */
export interface ListingLimits {
  /** Bytes of one answer (one page). */
  bytes: number;
  /** Pages followed. */
  pages: number;
  /** Names (tags, repositories) in all. */
  entries: number;
  /** Repositories one walk through the Google extension's `child` lists visits. */
  repositories: number;
}

/**
 * The default bounds: a listing answer of 32 MiB holds some 100,000 entries of the Google
 * extension or a million tags; real listings are far smaller. Every repository of a walk is
 * one request, so walks stop at 100,000.
 */
export const LISTING_LIMITS: ListingLimits = {
  bytes: 32 * 1024 * 1024,
  pages: 5_000,
  entries: 1_000_000,
  repositories: 100_000,
};

/**
 * One paginated listing: the pages read (a link back to one is a loop), how many pages in a
 * row brought no new entry, and the page and entry caps. A registry that keeps linking to
 * fresh URLs, of empty pages or of ever new names, would otherwise be followed forever.
 */
export class Pagination {
  readonly #seen: Set<string>;
  readonly #limits: ListingLimits;
  #idle = 0;
  #pages = 1;
  #total = 0;

  /** Starts at the first page's URL. */
  constructor(first: URL, limits: ListingLimits = LISTING_LIMITS) {
    this.#seen = new Set([first.href]);
    this.#limits = limits;
  }

  /**
   * The page after `current` (whose answer had this Link header and brought the listing to
   * `total` distinct entries), or undefined at the end. Throws RegistryError for another
   * origin, a loop, MAX_IDLE_PAGES pages in a row that brought nothing new, more entries or
   * more pages than the limits allow.
   */
  next(header: string | null, current: URL, total: number): URL | undefined {
    const where = `Cannot follow pagination of ${current.host}`;
    if (total > this.#limits.entries) {
      throw new RegistryError(
        `${where}: the listing holds more than ${this.#limits.entries} entries ` +
          "(cip reads at most that many)",
      );
    }
    const next = checkedNextLink(header, current, this.#seen);
    if (next === undefined) return undefined;
    this.#idle = total > this.#total ? 0 : this.#idle + 1;
    this.#total = total;
    if (this.#idle >= MAX_IDLE_PAGES) {
      throw new RegistryError(
        `${where}: ${this.#idle} pages in a row brought no new entry, yet each links to another`,
      );
    }
    if (++this.#pages > this.#limits.pages) {
      throw new RegistryError(
        `${where}: the listing goes on for more than ${this.#limits.pages} pages ` +
          "(cip reads at most that many)",
      );
    }
    return next;
  }
}
