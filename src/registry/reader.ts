/**
 * What one run reads of registries, read once: manifests by digest (content-addressed, so the
 * bytes read while planning serve the copies and the checks too) and tag listings. Absent
 * manifests are not remembered (a copy may put them there); manifests by tag are never cached
 * (tags change: a tag is read right before it is written).
 */
import type { Backend, ManifestBytes, TagListing } from "./api.ts";
import { isDigest } from "./reference.ts";

/** The run's one reader of registry contents (see the module comment). */
export class ContentReader {
  readonly #manifests = new Map<string, Promise<ManifestBytes | null>>();
  readonly #listings = new Map<string, Promise<TagListing>>();
  readonly #referrers = new Map<string, Promise<unknown[] | null>>();
  /** Backends that answered that they have no referrers API: not asked again. */
  readonly #noReferrersApi = new Set<string>();

  /**
   * A manifest's exact bytes by digest (read once per backend and repository), or by tag
   * (read every time); null when absent.
   */
  manifest(backend: Backend, repo: string, ref: string): Promise<ManifestBytes | null> {
    if (!isDigest(ref)) return backend.getManifest(repo, ref);
    const k = `${backend.id}\0${repo}\0${ref}`;
    let m = this.#manifests.get(k);
    if (!m) {
      m = backend.getManifest(repo, ref);
      this.#manifests.set(k, m);
      // A failure or an absence is not remembered: the next caller asks again.
      m.then((found) => found ?? this.#manifests.delete(k), () => this.#manifests.delete(k));
    }
    return m;
  }

  /** The repository's tag listing if it was asked for already (read or being read). */
  listingIfAsked(backend: Backend, repo: string): Promise<TagListing> | undefined {
    return this.#listings.get(`${backend.id}\0${repo}`);
  }

  /**
   * The referrers of a digest (read once per backend, repository and digest), or null when the
   * backend has no referrers API: a registry with the API never answers 404 to it, so the first
   * such answer holds for the whole backend and it is not asked again.
   */
  referrers(backend: Backend, repo: string, digest: string): Promise<unknown[] | null> {
    if (this.#noReferrersApi.has(backend.id)) return Promise.resolve(null);
    const k = `${backend.id}\0${repo}\0${digest}`;
    let r = this.#referrers.get(k);
    if (!r) {
      r = backend.listReferrers(repo, digest);
      this.#referrers.set(k, r);
      r.then(
        (found) => found ?? this.#noReferrersApi.add(backend.id),
        () => this.#referrers.delete(k),
      );
    }
    return r;
  }

  /** A repository's tag listing, read once. */
  listing(backend: Backend, repo: string): Promise<TagListing> {
    const k = `${backend.id}\0${repo}`;
    let l = this.#listings.get(k);
    if (!l) {
      l = backend.listTags(repo);
      this.#listings.set(k, l);
      l.catch(() => this.#listings.delete(k));
    }
    return l;
  }
}
