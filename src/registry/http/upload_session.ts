/**
 * Blob upload sessions as the registry names them in `Location` headers, accepted only when
 * they are what they claim to be: so a `Location` can never turn an upload into another
 * operation (a PUT or a DELETE of a manifest) or send it, and the credentials that go with it,
 * to another origin.
 */
import { RegistryError } from "../errors.ts";
import { redactUrl } from "../transport/mod.ts";

/** Percent-encoded separators a lenient server might decode into another path. */
const ENCODED_SEPARATOR = /%2f|%5c/i;

/**
 * Where Artifact Registry (`*-docker.pkg.dev`, and `gcr.io` since it is served by Artifact
 * Registry) keeps upload sessions: `/artifacts-uploads/namespaces/<project>/repositories/<repo>/
 * uploads/<id>`. It lies outside the `/v2/` API, so no such path can name a manifest, a tag or a
 * blob. Only the prefix is relied on.
 */
const ARTIFACT_REGISTRY_UPLOADS = "/artifacts-uploads/";

/** Whether `rest` is one or more plain path segments (no empty, `.`, `..` or encoded ones). */
function plainSegments(rest: string, many: boolean): boolean {
  const segments = rest.split("/");
  if (!many && segments.length !== 1) return false;
  return segments.every((s) =>
    s !== "" && s !== "." && s !== ".." && !s.includes("\\") && !ENCODED_SEPARATOR.test(s)
  );
}

/**
 * An upload session of one repository: a URL on the registry's own origin (scheme, host and
 * port) whose path is `/v2/<repo>/blobs/uploads/<id>`, `<id>` being one path segment, or an
 * Artifact Registry upload path (`/artifacts-uploads/...`); its query (e.g. `_state`) is kept
 * as sent. Upload requests (PATCH, the committing PUT, the cancelling DELETE) go to such URLs
 * only.
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
    const path = url.pathname;
    const session = path.startsWith(prefix)
      ? plainSegments(path.slice(prefix.length), false)
      : path.startsWith(ARTIFACT_REGISTRY_UPLOADS) &&
        plainSegments(path.slice(ARTIFACT_REGISTRY_UPLOADS.length), true);
    if (url.username !== "" || url.password !== "" || !session) {
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
