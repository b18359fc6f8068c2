/** One line for an error and its causes (pure), for outcomes and reports. */

/** The words for one error of a chain; `wrapped` is true for a cause of another error. */
export type ErrorText = (e: Error, wrapped: boolean) => string;

/**
 * `what failed: why: deeper why`, without repeating a cause already contained in the line;
 * `text` gives each error's words (its message unless told otherwise).
 */
export function describeError(e: unknown, text: ErrorText = (err) => err.message): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur !== undefined && depth < 8; depth++) {
    const line = cur instanceof Error ? text(cur, depth > 0) : String(cur);
    if (!parts.some((p) => p.includes(line))) parts.push(line);
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return parts.join(": ");
}
