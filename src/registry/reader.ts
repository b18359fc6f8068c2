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
