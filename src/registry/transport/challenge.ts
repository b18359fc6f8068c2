/** Parsing of `WWW-Authenticate` headers (pure). */

/** One challenge: its scheme (lowercase) and parameters (names lowercase). */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses every challenge of a `WWW-Authenticate` value, e.g.
 * `Bearer realm="https://r/token",service="r",scope="repository:a:pull", Basic realm="x"`.
 * Values may be quoted (with `\` escapes, commas allowed inside) or bare; bare values run to the
 * next comma or space. Unreadable pieces are skipped.
 */
export function parseChallenges(header: string | null): Challenge[] {
  if (header === null) return [];
  const s = header;
  const out: Challenge[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const readToken = () => {
    const start = i;
    while (i < s.length && !/[\s,=]/.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  const readValue = () => {
    if (s[i] === '"') {
      i++;
      let v = "";
      while (i < s.length && s[i] !== '"') {
        if (s[i] === "\\" && i + 1 < s.length) i++;
        v += s[i];
        i++;
      }
      i++;
      return v;
    }
    const start = i;
    while (i < s.length && !/[\s,]/.test(s[i]!)) i++;
    return s.slice(start, i);
  };

  while (i < s.length) {
    skipSpace();
    if (s[i] === ",") {
      i++;
      continue;
    }
    const scheme = readToken();
    if (scheme === "") {
      i++;
      continue;
    }
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    for (;;) {
      skipSpace();
      while (s[i] === ",") {
        i++;
        skipSpace();
      }
      if (i >= s.length) break;
      const save = i;
      const name = readToken();
      skipSpace();
      if (name === "" || s[i] !== "=") {
        // Not `name=value`: the start of the next challenge (or a token68, which is ignored).
        i = save;
        if (name === "") i++;
        break;
      }
      i++;
      skipSpace();
      challenge.params[name.toLowerCase()] = readValue();
    }
  }
  return out;
}
