/** The one string order used wherever output must be stable (pure). */

/** Compares strings by UTF-16 code units: a total order independent of locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
