/** The validated model of promoter manifests and the promotion edges computed from them. */

/** Where something stands in a manifest file: 1-based line and column. */
export interface Position {
  file: string;
  line: number;
  col: number;
}

/** One entry of a manifest's `registries` list. */
export interface RegistrySpec {
  /** `host[:port][/path]` or `ocidir://PATH`, as written. */
  name: string;
  /** Whether this is the source registry (`src: true`). */
  src: boolean;
  /** The Google service account whose credentials are used for this registry. */
  serviceAccount?: string;
  pos: Position;
}

/** One digest of an image and the tags it should carry (empty: promoted by digest only). */
export interface DigestSpec {
  /** `sha256:<64 lowercase hex>`. */
  digest: string;
  tags: string[];
  /** Where the digest key stands. */
  pos: Position;
  /** Where each tag stands, parallel to `tags`. */
  tagPos: Position[];
}

/** One entry of an `images` list. */
export interface ImageSpec {
  /** The image name relative to the registries, e.g. `foo/bar`. */
  name: string;
  digests: DigestSpec[];
  pos: Position;
}

/** One promoter manifest: a plain manifest, or a thin pair of registries and images files. */
export interface Manifest {
  /** The file holding `registries` (the plain manifest, or `promoter-manifest.yaml`). */
  file: string;
  /** The file holding `images` (the same file for plain manifests, else `images.yaml`). */
  imagesFile: string;
  registries: RegistrySpec[];
  images: ImageSpec[];
}

/** One promotion edge: source image@digest to destination registry/image, with a tag or none. */
export interface Edge {
  manifest: Manifest;
  src: RegistrySpec;
  dst: RegistrySpec;
  /** The image name, the same at source and destination (relative to the registry names). */
  image: string;
  digest: string;
  /** The tag the destination should carry, or null for a tagless (digest-only) edge. */
  tag: string | null;
  /** Where the digest (for tagless edges) or the tag stands in the images file. */
  pos: Position;
}
