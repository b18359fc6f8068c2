/** The HTTP backend: an OCI distribution client over the transport's HttpFetch. */
import { outsideText } from "../safe_text.ts";
import type { Backend, BlobStream, Descriptor, ManifestBytes, TagListing } from "./api.ts";
import {
  type BlobContext,
  getBlob,
  hasBlob,
  MONOLITHIC_LIMIT,
  mountBlob,
  pullScope,
  pushScope,
  putBlob,
} from "./client_blobs.ts";
import { sha256Digest } from "./digest_check.ts";
import { RegistryError } from "./errors.ts";
import type { HttpFetch } from "./http_fetch.ts";
import { LISTING_LIMITS, type ListingLimits, Pagination } from "./link.ts";
import {
  bareMediaType,
  isSchema1MediaType,
  MANIFEST_ACCEPT,
  MANIFEST_MEDIA_TYPES,
  sniffMediaType,
} from "../oci/mod.ts";
import {
  isDigest,
  isGoogleHost,
  isRepository,
  joinRepository,
  registryBaseUrl,
} from "./reference.ts";
import {
  discard,
  errorFromResponse,
  expectStatus,
  readBytesCapped,
  readJsonCapped,
  send,
} from "./response.ts";
import { parseTagPage } from "./tag_listing.ts";

import { MANIFEST_LIMIT } from "./manifest_limit.ts";

export { MANIFEST_LIMIT };

/** Options of HttpBackend. */
export interface HttpBackendOptions {
  /** `host[:port]`. */
  host: string;
  /** The transport (or `plainHttpFetch`). */
  fetch: HttpFetch;
  /** Hosts reached over plain http besides loopback ones (`--insecure-registries`). */
  insecureHosts?: readonly string[];
  /** Listing page size asked with `n=`; default 1000, 10000 on Google hosts. */
  pageSize?: number;
  /** Known-size blobs up to this many bytes are uploaded with one PUT; default 1 MiB. */
  monolithicLimit?: number;
  /** Bounds of one listing (answer bytes, pages, entries); default LISTING_LIMITS. */
  listingLimits?: ListingLimits;
}

/** An HTTP registry (OCI distribution API) as a Backend. */
export class HttpBackend implements Backend {
  readonly id: string;
  readonly display: string;
  /** `host[:port]`. */
  readonly host: string;
  /** E.g. `https://gcr.io`. */
  readonly baseUrl: string;
  #fetch: HttpFetch;
  #pageSize: number;
  #limits: ListingLimits;
  #blobs: BlobContext;
  /** Per repository: whether its last tags/list answer carried the GCR/AR extension. */
  #extensionAt = new Map<string, boolean>();

  /** See HttpBackendOptions. */
  constructor(opts: HttpBackendOptions) {
    this.host = opts.host;
    this.id = `http:${opts.host}`;
    this.display = opts.host;
    this.baseUrl = registryBaseUrl(opts.host, opts.insecureHosts);
    this.#fetch = opts.fetch;
    this.#pageSize = opts.pageSize ?? (isGoogleHost(opts.host) ? 10000 : 1000);
    this.#limits = opts.listingLimits ?? LISTING_LIMITS;
    this.#blobs = {
      fetch: opts.fetch,
      base: this.baseUrl,
      display: this.display,
      monolithicLimit: opts.monolithicLimit ?? MONOLITHIC_LIMIT,
    };
  }

  #url(path: string): URL {
    return new URL(path, this.baseUrl);
  }

  /** Passes: whether an HTTP registry is there is told by its first request. */
  checkPresent(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * All repositories equal to or below `prefix`, sorted: walked through the extension's
   * `child` on Google hosts and wherever the prefix's tags/list carries the extension,
   * otherwise read from `_catalog` and filtered by the prefix.
   */
  async listRepositories(prefix: string): Promise<string[]> {
    if (prefix === "") return await this.#catalog("");
    let first: TagListing | undefined;
    let extension = isGoogleHost(this.host) || this.#extensionAt.get(prefix);
    if (extension === undefined) {
      first = await this.listTags(prefix);
      extension = first.children !== undefined;
    }
    if (!extension) return await this.#catalog(prefix);
    return (await this.#walkChildren(prefix, { top: prefix, count: 0 }, first)).sort();
  }

  async #walkChildren(
    repo: string,
    walked: { top: string; count: number },
    known?: TagListing,
  ): Promise<string[]> {
    const listing = known ?? await this.listTags(repo);
    const children = listing.children ?? [];
    // Counted, and refused, before any of them is listed: the walk never outgrows the cap.
    walked.count += children.length;
    if (walked.count > this.#limits.repositories) {
      throw new RegistryError(
        `Cannot list the repositories of ${this.display}: there are more than ` +
          `${this.#limits.repositories} repositories below ${walked.top} (cip reads at most ` +
          "that many)",
      );
    }
    const here = listing.tags.length > 0 || (listing.manifests?.size ?? 0) > 0 ? [repo] : [];
    const below = await Promise.all(
      children.map((c) => this.#walkChildren(joinRepository(repo, c), walked)),
    );
    return [...here, ...below.flat()];
  }

  async #catalog(prefix: string): Promise<string[]> {
    const what = `list the repositories of ${this.display}`;
    let url: URL | undefined = this.#url(`/v2/_catalog?n=${this.#pageSize}`);
    const pages = new Pagination(url, this.#limits);
    const names = new Set<string>();
    const out: string[] = [];
    while (url !== undefined) {
      const current: URL = url;
      const res = await send(
        () => this.#fetch(new Request(current), { scopes: ["registry:catalog:*"] }),
        what,
      );
      await expectStatus(res, [200], what);
      const body = await readJsonCapped(res, what, this.#limits.bytes) as {
        repositories?: unknown;
      };
      const repos = body.repositories ?? [];
      if (!Array.isArray(repos) || repos.some((r) => typeof r !== "string")) {
        throw new RegistryError(`Cannot ${what}: "repositories" is not a list of names`);
      }
      for (const r of repos as string[]) {
        if (!isRepository(r)) {
          throw new RegistryError(
            `Cannot ${what}: the registry lists "${outsideText(r, 80)}", which is not a ` +
              "repository name",
          );
        }
        names.add(r);
        if (prefix === "" || r === prefix || r.startsWith(`${prefix}/`)) out.push(r);
      }
      url = pages.next(res.headers.get("Link"), current, names.size);
    }
    return [...new Set(out)].sort();
  }

  /**
   * The tags of a repository, sorted, following `Link` pagination; with the GCR/AR extension also
   * the manifests and children (one complete answer). A repository that does not exist has
   * no tags.
   */
  async listTags(repo: string): Promise<TagListing> {
    const what = `list the tags of ${this.display}/${repo}`;
    let url: URL | undefined = this.#url(`/v2/${repo}/tags/list?n=${this.#pageSize}`);
    const pages = new Pagination(url, this.#limits);
    const tags = new Set<string>();
    let firstPage = true;
    while (url !== undefined) {
      const current: URL = url;
      const res = await send(
        () => this.#fetch(new Request(current), { scopes: [pullScope(repo)] }),
        what,
      );
      if (res.status === 404 && firstPage) {
        const err = await errorFromResponse(res, what);
        if (err.codes.length === 0 || err.codes.includes("NAME_UNKNOWN")) {
          this.#extensionAt.set(repo, false);
          return { tags: [] };
        }
        throw err;
      }
      await expectStatus(res, [200], what);
      const page = parseTagPage(await readJsonCapped(res, what, this.#limits.bytes), repo);
      if (firstPage) this.#extensionAt.set(repo, page.extension);
      if (page.extension) {
        const listing: TagListing = { tags: [...page.tags].sort() };
        if (page.manifests !== undefined) listing.manifests = page.manifests;
        if (page.children !== undefined) listing.children = page.children;
        return listing;
      }
      for (const t of page.tags) tags.add(t);
      firstPage = false;
      url = pages.next(res.headers.get("Link"), current, tags.size);
    }
    return { tags: [...tags].sort() };
  }

  /** A manifest's descriptor by tag or digest (HEAD; a GET when headers are missing). */
  async headManifest(repo: string, ref: string): Promise<Descriptor | null> {
    const what = `look up ${this.display}/${repo}${refText(ref)}`;
    const res = await this.#requestManifest("HEAD", repo, ref, what);
    if (res === null) return null;
    await discard(res);
    const mediaType = bareMediaType(res.headers.get("Content-Type"));
    const header = res.headers.get("Docker-Content-Digest") ?? (isDigest(ref) ? ref : "");
    const size = Number(res.headers.get("Content-Length") ?? Number.NaN);
    if (
      MANIFEST_MEDIA_TYPES.includes(mediaType) && isDigest(header) &&
      Number.isSafeInteger(size) && size >= 0
    ) {
      return { mediaType, digest: header, size };
    }
    const m = await this.getManifest(repo, ref);
    return m === null ? null : { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length };
  }

  /** A manifest's exact bytes by tag or digest; the body is checked against a digest ref. */
  async getManifest(repo: string, ref: string): Promise<ManifestBytes | null> {
    const what = `read manifest ${this.display}/${repo}${refText(ref)}`;
    const res = await this.#requestManifest("GET", repo, ref, what);
    if (res === null) return null;
    const bytes = await readBytesCapped(res, MANIFEST_LIMIT + 1);
    if (bytes.length > MANIFEST_LIMIT) {
      throw new RegistryError(`Cannot ${what}: it is larger than ${MANIFEST_LIMIT} bytes`);
    }
    const declared = bareMediaType(res.headers.get("Content-Type"));
    let mediaType = declared;
    if (!MANIFEST_MEDIA_TYPES.includes(declared)) {
      try {
        mediaType = sniffMediaType(bytes);
      } catch (e) {
        throw new RegistryError(`Cannot ${what}: ${e instanceof Error ? e.message : e}`, {
          cause: e,
        });
      }
    }
    const computed = sha256Digest(bytes);
    const header = res.headers.get("Docker-Content-Digest");
    if (isSchema1MediaType(mediaType)) {
      // A signed schema 1 manifest's digest is not the SHA-256 of the body as served.
      const digest = isDigest(ref) ? ref : header !== null && header !== "" ? header : computed;
      return { mediaType, digest, bytes };
    }
    if (isDigest(ref) && computed !== ref) {
      throw new RegistryError(
        `Cannot ${what}: the registry served content with digest ${computed}`,
      );
    }
    if (header !== null && header !== "" && header !== computed) {
      throw new RegistryError(
        `Cannot ${what}: the registry says its digest is ${
          outsideText(header)
        } but the content's is ${computed}`,
      );
    }
    return { mediaType, digest: computed, bytes };
  }

  /** Stores a manifest's exact bytes under a tag or its digest. */
  async putManifest(repo: string, ref: string, manifest: ManifestBytes): Promise<void> {
    const what = `store manifest ${manifest.digest} as ${this.display}/${repo}${refText(ref)}`;
    const schema1 = isSchema1MediaType(manifest.mediaType);
    if (!schema1 && sha256Digest(manifest.bytes) !== manifest.digest) {
      throw new RegistryError(`Cannot ${what}: the bytes do not have that digest`);
    }
    if (isDigest(ref) && ref !== manifest.digest) {
      throw new RegistryError(`Cannot ${what}: the reference names another digest`);
    }
    const res = await send(
      () =>
        this.#fetch(
          new Request(this.#manifestUrl(repo, ref), {
            method: "PUT",
            headers: {
              "Content-Type": manifest.mediaType,
              "Content-Length": String(manifest.bytes.length),
            },
            body: manifest.bytes as Uint8Array<ArrayBuffer>,
          }),
          { scopes: [pushScope(repo)] },
        ),
      what,
    );
    await expectStatus(res, [200, 201], what);
    await discard(res);
    const stored = res.headers.get("Docker-Content-Digest");
    if (!schema1 && stored !== null && stored !== "" && stored !== manifest.digest) {
      throw new RegistryError(`Cannot ${what}: the registry stored it as ${outsideText(stored)}`);
    }
  }

  /** Whether a blob is present in the repository. */
  hasBlob(repo: string, digest: string): Promise<boolean> {
    return hasBlob(this.#blobs, repo, digest);
  }

  /**
   * Opens a blob for reading (size -1 when unknown); throws RegistryError when absent. The
   * expected `size` extends the transfer's deadline.
   */
  getBlob(repo: string, digest: string, size?: number): Promise<BlobStream> {
    return getBlob(this.#blobs, repo, digest, size);
  }

  /** Uploads a blob, checking SHA-256 and size while streaming; a mismatch commits nothing. */
  putBlob(repo: string, blob: Descriptor, body: ReadableStream<Uint8Array>): Promise<void> {
    return putBlob(this.#blobs, repo, blob, body);
  }

  /** Mounts a blob from another repository of this registry; false when it could not. */
  mountBlob(repo: string, digest: string, fromRepo: string): Promise<boolean> {
    return mountBlob(this.#blobs, repo, digest, fromRepo);
  }

  #manifestUrl(repo: string, ref: string): URL {
    return this.#url(`/v2/${repo}/manifests/${ref}`);
  }

  /** Asks for a manifest by tag or digest: null on 404, else the response (checked to be 200). */
  async #requestManifest(
    method: "HEAD" | "GET",
    repo: string,
    ref: string,
    what: string,
  ): Promise<Response | null> {
    const res = await send(
      () =>
        this.#fetch(
          new Request(this.#manifestUrl(repo, ref), {
            method,
            headers: { Accept: MANIFEST_ACCEPT },
          }),
          { scopes: [pullScope(repo)] },
        ),
      what,
    );
    if (res.status === 404) {
      await discard(res);
      return null;
    }
    await expectStatus(res, [200], what);
    return res;
  }
}

function refText(ref: string): string {
  return isDigest(ref) ? `@${ref}` : `:${ref}`;
}
