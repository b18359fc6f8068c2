/**
 * The one interface every registry backend implements (HTTP registries, OCI layout
 * directories). Promotion, snapshots and checks see only this.
 *
 * Repository names passed here are full paths inside the backend: for an HTTP registry
 * `gcr.io/proj/foo` the backend is the host `gcr.io` and the repository `proj/foo`; for
 * `ocidir://dir/foo` the backend is the directory `dir` and the repository `foo`.
 */

/** A content descriptor: what a manifest or blob is, by digest (the manifest model's). */
export type { Descriptor } from "../oci/mod.ts";
import type { Descriptor } from "../oci/mod.ts";

/** A manifest as the exact bytes the registry served, with its media type and digest. */
export interface ManifestBytes {
  mediaType: string;
  digest: string;
  bytes: Uint8Array;
}

/** What the registry knows of one manifest from a listing (the GCR/AR extension). */
export interface ListedManifest {
  mediaType?: string;
  /** Size in bytes as the registry reports it (0 for manifest lists on GCR). */
  size?: number;
  tags: string[];
}

/** The answer of a tag listing. */
export interface TagListing {
  tags: string[];
  /** Present when the registry sent the GCR/AR extension: digest -> facts. */
  manifests?: Map<string, ListedManifest>;
  /** Sub-repositories sent by the extension (`child`), relative to the repository. */
  children?: string[];
  /**
   * The repository does not exist: it holds no manifest (at most blobs an interrupted upload
   * left). Said only where that is certain (an OCI layout; Google's registries, which list
   * untagged manifests): a plain registry answers 404 for a repository of untagged ones.
   */
  absent?: true;
  /**
   * The registry answered 404 without saying more: no repository, or (on a plain registry) one
   * holding only untagged manifests. Where the same registry's listings carry the extension,
   * which names untagged manifests too, it means `absent`.
   */
  notFound?: true;
  /**
   * `manifests` names every manifest of the repository, untagged ones and the children of
   * indexes too (the GCR/AR extension): a digest it does not name is not there.
   */
  complete?: true;
}

/** A blob being read: its size and a stream of its bytes. */
export interface BlobStream {
  size: number;
  body: ReadableStream<Uint8Array>;
}

/** A registry backend: reads and writes manifests and blobs by repository. */
export interface Backend {
  /** Identifies the storage: two backends with the same id can mount blobs between repos. */
  readonly id: string;
  /** Human-readable name for messages, e.g. `gcr.io` or `ocidir://staging`. */
  readonly display: string;

  /**
   * Throws RegistryError when the registry plainly is not there, where that can be told
   * without a request: an OCI layout root directory that does not exist. An HTTP registry
   * passes; its first request tells.
   */
  checkPresent(): Promise<void>;

  /** All repositories equal to or below `prefix` ("" for all), sorted. */
  listRepositories(prefix: string): Promise<string[]>;
  /** The tags of a repository; a repository that does not exist has none. */
  listTags(repo: string): Promise<TagListing>;

  /** The descriptor of a manifest by tag or digest, or null when absent. */
  headManifest(repo: string, ref: string): Promise<Descriptor | null>;
  /** A manifest's exact bytes by tag or digest, or null when absent. */
  getManifest(repo: string, ref: string): Promise<ManifestBytes | null>;
  /**
   * Stores a manifest's exact bytes under a tag or its digest. `replacing` (a tag only) is the
   * digest the tag points at now, which it is moved from: the merge of an accumulator tag, the
   * one write that may move a tag (the caller decides which tags may). An OCI layout checks it
   * under its lock; a registry has no such check, so callers read the tag right before.
   */
  putManifest(
    repo: string,
    ref: string,
    manifest: ManifestBytes,
    replacing?: string,
  ): Promise<void>;
  /**
   * The descriptors of the manifests in `repo` whose `subject` is `digest` (OCI 1.1 referrers,
   * unchecked: callers validate each), or null when the backend has no referrers API.
   */
  listReferrers(repo: string, digest: string): Promise<unknown[] | null>;

  /** Whether a blob is present in the repository. */
  hasBlob(repo: string, digest: string): Promise<boolean>;
  /**
   * Opens a blob for reading; throws RegistryError when absent. `size`, when known (from the
   * manifest), bounds how long the transfer may take.
   */
  getBlob(repo: string, digest: string, size?: number): Promise<BlobStream>;
  /**
   * Stores a blob read from `body`, checking its SHA-256 and size while streaming; a mismatch
   * throws and nothing is committed.
   */
  putBlob(repo: string, blob: Descriptor, body: ReadableStream<Uint8Array>): Promise<void>;
  /**
   * Makes a blob present in `repo` by mounting it from `fromRepo` of the same backend,
   * without transferring it. Returns false when the backend could not mount (the caller then
   * copies the bytes).
   */
  mountBlob(repo: string, digest: string, fromRepo: string): Promise<boolean>;
}
