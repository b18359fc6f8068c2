/** Registry names, repository names, tags and digests: grammar and parsing (pure). */

/** A digest as manifests write it: `sha256:` and 64 lowercase hex digits. */
export const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** A tag: a word character, then up to 127 word characters, dots or dashes. */
export const TAG_RE = /^[\w][\w.-]{0,127}$/;

/** One path component of a repository name (OCI distribution grammar). */
const COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";

/** A repository path: components separated by single slashes. */
export const REPOSITORY_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);

/** A host name label, a dotted host name, an IPv6 literal in brackets. */
const HOST_RE =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])$/;

/** The longest repository path registries accept, host excluded. */
export const MAX_REPOSITORY_LENGTH = 255;

/** The scheme prefix of OCI image layout directories used as registries. */
export const OCIDIR_SCHEME = "ocidir://";

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
