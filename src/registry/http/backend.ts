/**
 * The HTTP backend: an OCI distribution client over the transport's HttpFetch. Each operation
 * lives in the file of its kind (repository.ts, tag.ts, manifest.ts, blob.ts), as the OCI
 * layout backend's do; this class holds the registry's context and hands it to them.
 */
import type { Backend, BlobStream, Descriptor, ManifestBytes, TagListing } from "../api.ts";
import { MANIFEST_LIMIT } from "../manifest_limit.ts";
import { isGoogleHost, registryBaseUrl } from "../reference.ts";
import { getBlob, hasBlob, MONOLITHIC_LIMIT, mountBlob, putBlob } from "./blob.ts";
import type { HttpContext } from "./context.ts";
import type { HttpFetch } from "./http_fetch.ts";
import { LISTING_LIMITS, type ListingLimits } from "./link.ts";
import { getManifest, headManifest, putManifest } from "./manifest.ts";
import { listReferrers } from "./referrers.ts";
import { listRepositories } from "./repository.ts";
import { listTags } from "./tag.ts";

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
  readonly #ctx: HttpContext;

  /** See HttpBackendOptions. */
  constructor(opts: HttpBackendOptions) {
    this.host = opts.host;
    this.id = `http:${opts.host}`;
    this.display = opts.host;
    this.baseUrl = registryBaseUrl(opts.host, opts.insecureHosts);
    this.#ctx = {
      fetch: opts.fetch,
      base: this.baseUrl,
      display: this.display,
      host: opts.host,
      pageSize: opts.pageSize ?? (isGoogleHost(opts.host) ? 10000 : 1000),
      limits: opts.listingLimits ?? LISTING_LIMITS,
      monolithicLimit: opts.monolithicLimit ?? MONOLITHIC_LIMIT,
      extensionAt: new Map(),
    };
  }

  /** Passes: whether an HTTP registry is there is told by its first request. */
  checkPresent(): Promise<void> {
    return Promise.resolve();
  }

  /** See repository.ts. */
  listRepositories(prefix: string): Promise<string[]> {
    return listRepositories(this.#ctx, prefix);
  }

  /** See tag.ts. */
  listTags(repo: string): Promise<TagListing> {
    return listTags(this.#ctx, repo);
  }

  /** A manifest's descriptor by tag or digest (HEAD; a GET when headers are missing). */
  headManifest(repo: string, ref: string): Promise<Descriptor | null> {
    return headManifest(this.#ctx, repo, ref);
  }

  /** A manifest's exact bytes by tag or digest; the body is checked against a digest ref. */
  getManifest(repo: string, ref: string): Promise<ManifestBytes | null> {
    return getManifest(this.#ctx, repo, ref);
  }

  /** Stores a manifest's exact bytes under a tag or its digest. */
  putManifest(repo: string, ref: string, manifest: ManifestBytes): Promise<void> {
    return putManifest(this.#ctx, repo, ref, manifest);
  }

  /** See referrers.ts: the referrers API's list, or null when the registry answers 404. */
  listReferrers(repo: string, digest: string): Promise<unknown[] | null> {
    return listReferrers(this.#ctx, repo, digest);
  }

  /** Whether a blob is present in the repository. */
  hasBlob(repo: string, digest: string): Promise<boolean> {
    return hasBlob(this.#ctx, repo, digest);
  }

  /**
   * Opens a blob for reading (size -1 when unknown); throws RegistryError when absent. The
   * expected `size` extends the transfer's deadline.
   */
  getBlob(repo: string, digest: string, size?: number): Promise<BlobStream> {
    return getBlob(this.#ctx, repo, digest, size);
  }

  /** Uploads a blob, checking SHA-256 and size while streaming; a mismatch commits nothing. */
  putBlob(repo: string, blob: Descriptor, body: ReadableStream<Uint8Array>): Promise<void> {
    return putBlob(this.#ctx, repo, blob, body);
  }

  /** Mounts a blob from another repository of this registry; false when it could not. */
  mountBlob(repo: string, digest: string, fromRepo: string): Promise<boolean> {
    return mountBlob(this.#ctx, repo, digest, fromRepo);
  }
}
