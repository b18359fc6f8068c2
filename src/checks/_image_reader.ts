/** Reads what checks need to know of images in a registry: manifests, children, sizes. */
import type { RegistrySpec } from "../manifest/mod.ts";
import {
  joinRepository,
  type ManifestBytes,
  type OpenedRegistry,
  type TagListing,
} from "../registry/mod.ts";
import type { RegistryOpener } from "./check.ts";

/** What a manifest's JSON says: an index of children, an image of blobs, or neither. */
export type ParsedManifest =
  | { kind: "index"; children: string[] }
  | { kind: "image"; size: number | undefined }
  | { kind: "other" };

const INDEX_TYPES = new Set([
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
]);

/** Reads a manifest's JSON: the children of an index, or the summed sizes of config and layers. */
export function parseManifest(m: ManifestBytes): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(m.bytes));
  } catch {
    return { kind: "other" };
  }
  if (typeof doc !== "object" || doc === null) return { kind: "other" };
  const o = doc as Record<string, unknown>;
  const type = typeof o.mediaType === "string" ? o.mediaType : m.mediaType;
  if (INDEX_TYPES.has(type) || (Array.isArray(o.manifests) && !Array.isArray(o.layers))) {
    const list = Array.isArray(o.manifests) ? o.manifests : [];
    const children = list.map((d) => (d as Record<string, unknown> | null)?.digest)
      .filter((d): d is string => typeof d === "string");
    return { kind: "index", children };
  }
  if (!Array.isArray(o.layers)) return { kind: "other" };
  const blobs = [o.config, ...o.layers];
  let size = 0;
  for (const b of blobs) {
    const s = (b as Record<string, unknown> | null)?.size;
    if (typeof s !== "number" || !Number.isFinite(s) || s < 0) {
      return { kind: "image", size: undefined };
    }
    size += s;
  }
  return { kind: "image", size };
}

/** The size of an image as far as it could be found, and how. */
export type ImageSize =
  | { found: false }
  | { found: true; bytes: number | undefined; largestChild?: string };

/** Reads images of registries through a RegistryOpener, remembering what it read. */
export class ImageReader {
  #open: RegistryOpener;
  #registries = new Map<string, Promise<OpenedRegistry>>();
  #listings = new Map<string, Promise<TagListing>>();
  #manifests = new Map<string, Promise<ManifestBytes | null>>();

  /** Reads through `open`. */
  constructor(open: RegistryOpener) {
    this.#open = open;
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
  listing(spec: RegistrySpec, image: string): Promise<TagListing> {
    const key = `${spec.name}\0${image}`;
    let l = this.#listings.get(key);
    if (!l) {
      l = this.registry(spec).then(({ backend, prefix }) =>
        backend.listTags(joinRepository(prefix, image))
      );
      this.#listings.set(key, l);
    }
    return l;
  }

  /** A manifest by digest or tag, or null when the registry does not have it; once. */
  manifest(spec: RegistrySpec, image: string, ref: string): Promise<ManifestBytes | null> {
    const key = `${spec.name}\0${image}\0${ref}`;
    let m = this.#manifests.get(key);
    if (!m) {
      m = this.registry(spec).then(({ backend, prefix }) =>
        backend.getManifest(joinRepository(prefix, image), ref)
      );
      this.#manifests.set(key, m);
    }
    return m;
  }

  /** Whether the registry has a manifest with this digest (HEAD, no body). */
  async has(spec: RegistrySpec, image: string, digest: string): Promise<boolean> {
    const { backend, prefix } = await this.registry(spec);
    return (await backend.headManifest(joinRepository(prefix, image), digest)) !== null;
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
    const listedIsIndex = listed?.mediaType !== undefined && INDEX_TYPES.has(listed.mediaType);
    if (listed?.size !== undefined && listed.size > 0 && !listedIsIndex) {
      return { found: true, bytes: listed.size };
    }
    const m = await this.manifest(spec, image, digest);
    if (m === null) return { found: false };
    const parsed = parseManifest(m);
    if (parsed.kind === "image") return { found: true, bytes: parsed.size };
    if (parsed.kind === "other" || depth > 0) return { found: true, bytes: undefined };
    let largest: { bytes: number; child: string } | undefined;
    for (const child of parsed.children) {
      const s = await this.size(spec, image, child, depth + 1);
      if (!s.found || s.bytes === undefined) continue;
      if (!largest || s.bytes > largest.bytes) largest = { bytes: s.bytes, child };
    }
    return largest
      ? { found: true, bytes: largest.bytes, largestChild: largest.child }
      : { found: true, bytes: undefined };
  }
}
