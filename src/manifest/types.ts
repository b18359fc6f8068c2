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

/**
 * One digest of an image and the tags it should carry (empty: promoted by digest only). When
 * an image is listed in several entries of one file, a digest's tags are the union of them.
 */
export interface DigestSpec {
  /** `sha256:<64 lowercase hex>`. */
  digest: string;
  tags: string[];
  /** Where the digest key stands (its first place). */
  pos: Position;
  /** The field path of the digest key, e.g. `images[3].dmap."sha256:…"`. */
  field: string;
  /** Where each tag stands, parallel to `tags`. */
  tagPos: Position[];
  /** The field path of each tag, parallel to `tags`, e.g. `images[3].dmap."sha256:…"[0]`. */
  tagFields: string[];
}

/** One image of an images list: every entry of that name in the file, merged. */
export interface ImageSpec {
  /** The image name relative to the registries, e.g. `foo/bar`. */
  name: string;
  digests: DigestSpec[];
  /** Where the name of its first entry stands. */
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
  /** The manifest's `policy:` block about the signatures of its images, when it has one. */
  policy?: ManifestPolicy;
}

/** What a promotion does about signatures: nothing, report failures, or refuse the image. */
export type PolicyMode = "off" | "warn" | "require";

/** A text condition: equal to `exact`, or wholly matched by the regular expression `regexp`. */
export type PolicyMatcher = { exact: string } | { regexp: string };

/** A manifest's trust policy (the shape of the Sigstore layer's TrustPolicy), with its place. */
export interface ManifestPolicy {
  mode: PolicyMode;
  /** Signers whose signatures count: a certificate subject and the OIDC issuer vouching for it. */
  identities: { subject: PolicyMatcher; issuer: PolicyMatcher }[];
  /** Where the block stands. */
  pos: Position;
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
  /** The field path of that place, e.g. `images[2].dmap."sha256:…"[1]`. */
  field: string;
}
