/**
 * Limits on the shape of YAML text, checked with the library's lexer before anything is built
 * (pure). The YAML library needs memory and time that grow fast with nesting depth (a megabyte
 * of `[` takes a gigabyte) and about 900 bytes per value, so both are bounded.
 */
import { Lexer } from "yaml";

/** The deepest nesting of flow collections (or block indicators on one line) accepted. */
const MAX_NESTING = 64;

/**
 * The most YAML values (scalars, collections, entries) in one file: about 100,000 digests with
 * two tags each, more than an 8 MiB file of ordinary manifest lines holds; it bounds the
 * library's memory to some 450 MiB for a file of tiny values.
 */
export const MAX_YAML_VALUES = 500_000;

/** The limits to check; tests pass smaller ones. */
export interface YamlLimits {
  nesting: number;
  values: number;
}

/** Where the text goes beyond a limit, and what the limit is. */
export interface YamlLimitBreach {
  offset: number;
  detail: string;
}

/** Checks nesting depth and the number of values; the first breach, or null within limits. */
export function checkYamlLimits(
  text: string,
  limits: YamlLimits = { nesting: MAX_NESTING, values: MAX_YAML_VALUES },
): YamlLimitBreach | null {
  let depth = 0;
  let values = 0;
  let lineIndicators = 0;
  let atLineStart = true;
  let skipNext = false;
  let offset = 0;
  const tooDeep = (at: number) => ({
    offset: at,
    detail:
      `YAML nested more than ${limits.nesting} levels deep; a manifest needs only a few levels`,
  });
  for (const token of new Lexer().lex(text)) {
    const here = offset;
    offset += token.length;
    if (skipNext) {
      skipNext = false;
      continue;
    }
    const first = token[0];
    if (
      token === "\x1f" || token === "[" || token === "{" || token === "-" || token === "?" ||
      token === ":" || first === '"' || first === "'" || first === "*"
    ) {
      if (++values > limits.values) {
        return {
          offset: here,
          detail: `the file holds more than ${limits.values} YAML values; split it into ` +
            "several manifests",
        };
      }
    }
    switch (token) {
      case "\x1f": // a plain or block scalar's body follows; the marker takes no room
        skipNext = true;
        offset -= token.length;
        atLineStart = false;
        continue;
      case "\x02": // document start marker (no room in the source)
      case "\x18": // flow error end marker (no room in the source)
        offset -= token.length;
        continue;
      case "[":
      case "{":
        if (++depth > limits.nesting) return tooDeep(here);
        atLineStart = false;
        continue;
      case "]":
      case "}":
        depth = Math.max(0, depth - 1);
        continue;
      case "\n":
      case "\r\n":
        atLineStart = true;
        lineIndicators = 0;
        continue;
      case "-":
      case "?":
        if (atLineStart && ++lineIndicators > limits.nesting) return tooDeep(here);
        continue;
    }
    if (!/^[ \t]*$/.test(token)) atLineStart = false;
  }
  return null;
}
