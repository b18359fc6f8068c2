/** Makes URLs and error texts safe to log: query values that may be secrets are hidden. */

/** Query parameters registries use that never carry secrets; other values are hidden. */
const SAFE_PARAMS = new Set(["n", "last", "mount", "from", "digest", "service", "scope"]);

/** The URL with every query value not known to be harmless replaced by `REDACTED`. */
export function redactUrl(url: URL | string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "(unparsable URL)";
  }
  u.username = "";
  u.password = "";
  if (u.search === "") return u.href;
  const kept = new URLSearchParams();
  for (const [k, v] of u.searchParams) kept.append(k, SAFE_PARAMS.has(k) ? v : "REDACTED");
  u.search = kept.toString();
  return u.href;
}

/** Free text (e.g. an error from fetch) with the URLs in it redacted. */
export function redactText(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s)"'<>]+/g, (m) => redactUrl(m));
}
