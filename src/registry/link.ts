/** Pagination by `Link: <url>; rel="next"` headers (pure). */
import { outsideText } from "../safe_text.ts";
import { RegistryError } from "./errors.ts";

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

/**
 * One paginated listing: the pages read (a link back to one is a loop) and how many pages in a
 * row brought no new entry. A registry that keeps linking to fresh URLs of empty or repeated
 * pages would otherwise be followed forever.
 */
export class Pagination {
  readonly #seen: Set<string>;
  #idle = 0;

  /** Starts at the first page's URL. */
  constructor(first: URL) {
    this.#seen = new Set([first.href]);
  }

  /**
   * The page after `current` (whose answer had this Link header and brought `added` entries
   * not seen before), or undefined at the end. Throws RegistryError for another origin, a loop,
   * or MAX_IDLE_PAGES pages in a row that brought nothing new.
   */
  next(header: string | null, current: URL, added: number): URL | undefined {
    const next = checkedNextLink(header, current, this.#seen);
    if (next === undefined) return undefined;
    this.#idle = added > 0 ? 0 : this.#idle + 1;
    if (this.#idle >= MAX_IDLE_PAGES) {
      throw new RegistryError(
        `Cannot follow pagination of ${current.host}: ${this.#idle} pages in a row brought ` +
          "no new entry, yet each links to another",
      );
    }
    return next;
  }
}
