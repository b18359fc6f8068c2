/** One line for an error and its causes (pure), for outcomes and reports. */

/** `what failed: why: deeper why`, without repeating a cause already contained in the line. */
export function describeError(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur !== undefined && depth < 8; depth++) {
    const text = cur instanceof Error ? cur.message : String(cur);
    if (!parts.some((p) => p.includes(text))) parts.push(text);
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return parts.join(": ");
}
