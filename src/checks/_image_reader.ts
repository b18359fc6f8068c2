/** Reads what checks need to know of images in a registry: manifests, children, sizes. */
import type { RegistrySpec } from "../manifest/mod.ts";
import {
  imageBytes,
  isIndexMediaType,
  ManifestFormatError,
  type ManifestModel,
  readManifest,
} from "../oci/mod.ts";
import {
  ContentReader,
  joinRepository,
  type ManifestBytes,
  type OpenedRegistry,
  type TagListing,
} from "../registry/mod.ts";
import type { RegistryOpener } from "./check.ts";

/** The size of an image as far as it could be found, and how. */
export type ImageSize =
  | { found: false }
  | { found: true; bytes: number | undefined; largestChild?: string };

/** The model of manifest bytes, or null when they are not a manifest cip can read. */
export function modelOrNull(m: ManifestBytes): ManifestModel | null {
  try {
    return readManifest(m.bytes, m.mediaType);
  } catch (e) {
    if (e instanceof ManifestFormatError) return null;
    throw e;
  }
}

/**
 * Reads images of registries through a RegistryOpener; manifests and listings go through the
 * run's ContentReader, so what one check (or the promotion) read is not read again.
 */
export class ImageReader {
  #open: RegistryOpener;
  #content: ContentReader;
  #registries = new Map<string, Promise<OpenedRegistry>>();

  /** Reads through `open`, remembering manifests and listings in `content`. */
  constructor(open: RegistryOpener, content: ContentReader = new ContentReader()) {
    this.#open = open;
    this.#content = content;
  }

  /** The registry, opened once. */
  registry(spec: RegistrySpec): Promise<OpenedRegistry> {
    let r = this.#registries.get(spec.name);
    if (!r) {
      r = Promise.resolve(this.#open(spec));
      this.#registries.set(spec.name, r);
    }
    return r;
  }

  /** The tag listing of the image's repository (with the GCR extension where sent), once. */
  async listing(spec: RegistrySpec, image: string): Promise<TagListing> {
    const { backend, prefix } = await this.registry(spec);
    return await this.#content.listing(backend, joinRepository(prefix, image));
  }

  /** A manifest by digest or tag, or null when the registry does not have it; once. */
  async manifest(spec: RegistrySpec, image: string, ref: string): Promise<ManifestBytes | null> {
    const { backend, prefix } = await this.registry(spec);
    return await this.#content.manifest(backend, joinRepository(prefix, image), ref);
  }

  /** The referrers of a digest, or null when the registry has no referrers API; once. */
  async referrers(spec: RegistrySpec, image: string, digest: string): Promise<unknown[] | null> {
    const { backend, prefix } = await this.registry(spec);
    return await this.#content.referrers(backend, joinRepository(prefix, image), digest);
  }

  /**
   * Whether the registry has a manifest with this digest: from the repository's listing when
   * it was read already and names every manifest (the GCR/AR extension), else a HEAD.
   */
  async has(spec: RegistrySpec, image: string, digest: string): Promise<boolean> {
    const { backend, prefix } = await this.registry(spec);
    const repo = joinRepository(prefix, image);
    const listing = await this.#content.listingIfAsked(backend, repo)?.catch(() => undefined);
    if (listing?.complete && listing.manifests) return listing.manifests.has(digest);
    return (await backend.headManifest(repo, digest)) !== null;
  }

  /** The digest a tag points at, or null when the tag does not exist. */
  async tagDigest(spec: RegistrySpec, image: string, tag: string): Promise<string | null> {
    const { backend, prefix } = await this.registry(spec);
    return (await backend.headManifest(joinRepository(prefix, image), tag))?.digest ?? null;
  }

  /**
   * The size of an image: the registry's listing (GCR extension) where it gives one above 0,
   * else config plus layers from the manifest; for an index, its largest child.
   */
  async size(spec: RegistrySpec, image: string, digest: string, depth = 0): Promise<ImageSize> {
    const listed = (await this.listing(spec, image)).manifests?.get(digest);
    const listedIsIndex = listed?.mediaType !== undefined && isIndexMediaType(listed.mediaType);
    if (listed?.size !== undefined && listed.size > 0 && !listedIsIndex) {
      return { found: true, bytes: listed.size };
    }
    const m = await this.manifest(spec, image, digest);
    if (m === null) return { found: false };
    const model = modelOrNull(m);
    if (model?.kind === "image") return { found: true, bytes: imageBytes(model) };
    if (model?.kind !== "index" || depth > 0) return { found: true, bytes: undefined };
    let largest: { bytes: number; child: string } | undefined;
    for (const { digest: child } of model.children) {
      const s = await this.size(spec, image, child, depth + 1);
      if (!s.found || s.bytes === undefined) continue;
      if (!largest || s.bytes > largest.bytes) largest = { bytes: s.bytes, child };
    }
    return largest
      ? { found: true, bytes: largest.bytes, largestChild: largest.child }
      : { found: true, bytes: undefined };
  }
}
