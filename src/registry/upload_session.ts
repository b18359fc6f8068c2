/**
 * Blob upload sessions as the registry names them in `Location` headers, accepted only when
 * they are what they claim to be: so a `Location` can never turn an upload into another
 * operation (a PUT or a DELETE of a manifest) or send it, and the credentials that go with it,
 * to another origin.
 */
import { RegistryError } from "./errors.ts";
import { redactUrl } from "./transport/mod.ts";

/** Percent-encoded separators a lenient server might decode into another path. */
const ENCODED_SEPARATOR = /%2f|%5c/i;

/**
 * An upload session of one repository: a URL on the registry's own origin (scheme, host and
 * port) whose path is `/v2/<repo>/blobs/uploads/<id>`, `<id>` being one path segment (its
 * query, e.g. `_state`, is kept as sent). Upload requests (PATCH, the committing PUT, the
 * cancelling DELETE) go to such URLs only.
 */
export class UploadSession {
  private constructor(
    /** The session's URL. */
    readonly url: URL,
  ) {}

  /**
   * The session a `Location` value names, resolved against the URL of the request it answered.
   * Throws RegistryError when there is none, or when it is on another origin (or weaker
   * scheme), carries user info, or is not an upload session path of `repo`.
   */
  static from(
    location: string | null,
    answered: URL,
    registry: { base: string; repo: string },
    what: string,
  ): UploadSession {
    if (location === null || location === "") {
      throw new RegistryError(`Cannot ${what}: the registry sent no upload location`);
    }
    let url: URL;
    try {
      url = new URL(location, answered);
    } catch (e) {
      throw new RegistryError(`Cannot ${what}: the upload location is not a URL`, { cause: e });
    }
    url.hash = "";
    const origin = new URL(registry.base).origin;
    if (url.origin !== origin) {
      throw new RegistryError(
        `Cannot ${what}: the registry sent an upload location on another origin ` +
          `(${url.origin}); cip sends uploads, and credentials, only to ${origin}`,
      );
    }
    const prefix = `/v2/${registry.repo}/blobs/uploads/`;
    const id = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : "";
    if (
      url.username !== "" || url.password !== "" || id === "" || id === "." || id === ".." ||
      id.includes("/") || id.includes("\\") || ENCODED_SEPARATOR.test(id)
    ) {
      throw new RegistryError(
        `Cannot ${what}: the registry sent an upload location that is not an upload session ` +
          `of ${registry.repo} (${redactUrl(url)}; expected ${prefix}<id>); cip sends upload ` +
          "requests nowhere else",
      );
    }
    return new UploadSession(url);
  }

  /** The URL that commits the upload: the session with `digest=<d>` added to its query. */
  commitUrl(digest: string): URL {
    const out = new URL(this.url);
    const param = `digest=${encodeURIComponent(digest)}`;
    out.search = out.search === "" || out.search === "?" ? `?${param}` : `${out.search}&${param}`;
    return out;
  }
}
