/** Registry names, repository names, tags and digests: grammar and parsing (pure). */

/** A digest as manifests write it: `sha256:` and 64 lowercase hex digits. */
const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** A tag: a word character, then up to 127 word characters, dots or dashes. */
const TAG_RE = /^[\w][\w.-]{0,127}$/;

/** One path component of a repository name (OCI distribution grammar). */
const COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";

/** A repository path: components separated by single slashes. */
const REPOSITORY_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);

/** A host name label, a dotted host name, an IPv6 literal in brackets. */
const HOST_RE =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])$/;

/** The longest repository path registries accept, host excluded. */
export const MAX_REPOSITORY_LENGTH = 255;

/** The scheme prefix of OCI image layout directories used as registries. */
const OCIDIR_SCHEME = "ocidir://";

/** A registry name, parsed: an HTTP registry host with a path prefix, or an OCI layout dir. */
export type RegistryName =
  | { kind: "http"; host: string; prefix: string }
  | { kind: "ocidir"; dir: string; prefix: string };

/** Whether `d` is a valid digest. */
export function isDigest(d: string): boolean {
  return DIGEST_RE.test(d);
}

/** Whether `t` is a valid tag. */
export function isTag(t: string): boolean {
  return TAG_RE.test(t);
}

/** Whether `r` is a valid repository path (without host). */
export function isRepository(r: string): boolean {
  return r.length <= MAX_REPOSITORY_LENGTH && REPOSITORY_RE.test(r);
}

/**
 * Parses `host[:port][/path]` or `ocidir://PATH`; returns an error description instead when
 * the name is not valid.
 */
export function parseRegistryName(name: string): RegistryName | { error: string } {
  if (name.startsWith(OCIDIR_SCHEME)) {
    const dir = name.slice(OCIDIR_SCHEME.length);
    if (dir === "") return { error: "ocidir:// needs a directory path" };
    if (dir.includes("\0")) return { error: "directory path contains a NUL byte" };
    return { kind: "ocidir", dir, prefix: "" };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(name)) {
    return { error: "a registry name has no scheme (write host[:port][/path])" };
  }
  const slash = name.indexOf("/");
  const hostPort = slash < 0 ? name : name.slice(0, slash);
  const prefix = slash < 0 ? "" : name.slice(slash + 1);
  const m = /^(.*?)(?::(\d{1,5}))?$/.exec(hostPort);
  const host = m?.[1] ?? "";
  const port = m?.[2];
  if (!HOST_RE.test(host)) return { error: `"${hostPort}" is not a valid host[:port]` };
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    return { error: `port ${port} is out of range` };
  }
  if (slash >= 0 && !isRepository(prefix)) {
    return {
      error: `path "${prefix}" is not a valid repository path ` +
        "(lowercase letters, digits, separators . _ __ - between them, / between components)",
    };
  }
  return { kind: "http", host: hostPort, prefix };
}

/** Joins a registry path prefix and an image name into a repository path. */
export function joinRepository(prefix: string, image: string): string {
  return prefix === "" ? image : image === "" ? prefix : `${prefix}/${image}`;
}

/** The host name of `host[:port]` without the port (brackets kept for IPv6). */
function hostName(host: string): string {
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    return end < 0 ? host : host.slice(0, end + 1);
  }
  const colon = host.lastIndexOf(":");
  return colon < 0 ? host : host.slice(0, colon);
}

/** Whether a host is loopback: `localhost`, `127.0.0.0/8` or `[::1]` (any port). */
export function isLoopbackHost(host: string): boolean {
  const name = hostName(host).toLowerCase();
  if (name === "localhost" || name === "[::1]") return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  return m !== null && m.slice(1).every((octet) => Number(octet) <= 255);
}

/**
 * The scheme a registry host is reached with: http for loopback hosts and for hosts listed
 * as insecure (by `host:port` or by host name alone), https for everything else.
 */
export function schemeFor(host: string, insecureHosts: readonly string[] = []): "http" | "https" {
  if (isLoopbackHost(host)) return "http";
  const lower = host.toLowerCase();
  const name = hostName(lower);
  const insecure = insecureHosts.some((h) => {
    const entry = h.trim().toLowerCase();
    return entry === lower || entry === name;
  });
  return insecure ? "http" : "https";
}

/** The base URL of a registry host, e.g. `https://gcr.io`. */
export function registryBaseUrl(host: string, insecureHosts: readonly string[] = []): string {
  return `${schemeFor(host, insecureHosts)}://${host}`;
}

/** Whether a host is Google's: `gcr.io`, `*.gcr.io` or `*-docker.pkg.dev`. */
export function isGoogleHost(host: string): boolean {
  const name = hostName(host).toLowerCase();
  return name === "gcr.io" || name.endsWith(".gcr.io") || name.endsWith("-docker.pkg.dev");
}

/** Splits a comma-separated host list (`--insecure-registries`), dropping empty entries. */
export function parseHostList(value: string | undefined): string[] {
  return (value ?? "").split(",").map((h) => h.trim()).filter((h) => h !== "");
}
