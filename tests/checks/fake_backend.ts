/** A read-only in-memory registry for check tests: manifests, tags, and GCR listing facts. */
import type {
  Backend,
  BlobStream,
  Descriptor,
  ListedManifest,
  ManifestBytes,
  TagListing,
} from "../../src/registry/api.ts";
import { RegistryError } from "../../src/registry/errors.ts";
import { digestOf } from "../fixtures/images.ts";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

/** An OCI image manifest whose config and layers have these sizes (no blobs behind them). */
export function imageManifest(configSize: number, layerSizes: number[]): ManifestBytes {
  const blob = (size: number, i: number) => ({
    mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
    digest: `sha256:${String(i).padStart(64, "0")}`,
    size,
  });
  const doc = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { ...blob(configSize, 999), mediaType: "application/vnd.oci.image.config.v1+json" },
    layers: layerSizes.map(blob),
  };
  return manifestBytes(OCI_MANIFEST, JSON.stringify(doc));
}

/** An OCI index of these children. */
export function indexManifest(children: ManifestBytes[]): ManifestBytes {
  const doc = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: children.map((c) => ({
      mediaType: c.mediaType,
      digest: c.digest,
      size: c.bytes.length,
    })),
  };
  return manifestBytes(OCI_INDEX, JSON.stringify(doc));
}

function manifestBytes(mediaType: string, text: string): ManifestBytes {
  const bytes = new TextEncoder().encode(text);
  return { mediaType, digest: digestOf(bytes), bytes };
}

/** A registry in memory holding manifests and tags per repository; writes are refused. */
export class FakeBackend implements Backend {
  readonly id: string;
  readonly display: string;
  /** Every read, as `op repo ref`. */
  readonly reads: string[] = [];
  #manifests = new Map<string, Map<string, ManifestBytes>>();
  #tags = new Map<string, Map<string, string>>();
  #listed = new Map<string, Map<string, ListedManifest>>();

  /** An empty registry. */
  constructor(name: string) {
    this.id = name;
    this.display = name;
  }

  /** Stores a manifest in a repository, with tags. */
  put(repo: string, m: ManifestBytes, tags: string[] = []): this {
    this.#map(this.#manifests, repo).set(m.digest, m);
    for (const t of tags) this.#map(this.#tags, repo).set(t, m.digest);
    return this;
  }

  /** Makes the tag listing of `repo` carry the GCR extension with these facts. */
  list(repo: string, digest: string, facts: ListedManifest): this {
    this.#map(this.#listed, repo).set(digest, facts);
    return this;
  }

  checkPresent(): Promise<void> {
    return Promise.resolve();
  }

  listRepositories(prefix: string): Promise<string[]> {
    return Promise.resolve(
      [...this.#manifests.keys()].filter((r) =>
        prefix === "" || r === prefix || r.startsWith(`${prefix}/`)
      ).sort(),
    );
  }

  listTags(repo: string): Promise<TagListing> {
    this.reads.push(`listTags ${repo}`);
    const tags = [...(this.#tags.get(repo)?.keys() ?? [])].sort();
    const listed = this.#listed.get(repo);
    // Listed manifests stand for the GCR/AR extension, whose listing names every manifest.
    return Promise.resolve(
      listed ? { tags, manifests: new Map(listed), complete: true } : { tags },
    );
  }

  headManifest(repo: string, ref: string): Promise<Descriptor | null> {
    this.reads.push(`headManifest ${repo} ${ref}`);
    const m = this.#find(repo, ref);
    return Promise.resolve(
      m ? { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length } : null,
    );
  }

  getManifest(repo: string, ref: string): Promise<ManifestBytes | null> {
    this.reads.push(`getManifest ${repo} ${ref}`);
    return Promise.resolve(this.#find(repo, ref));
  }

  putManifest(): Promise<void> {
    return Promise.reject(new RegistryError("checks never write"));
  }

  listReferrers(repo: string, digest: string): Promise<unknown[] | null> {
    this.reads.push(`listReferrers ${repo} ${digest}`);
    return Promise.resolve(null);
  }

  hasBlob(): Promise<boolean> {
    return Promise.resolve(false);
  }

  getBlob(): Promise<BlobStream> {
    return Promise.reject(new RegistryError("no blobs here"));
  }

  putBlob(): Promise<void> {
    return Promise.reject(new RegistryError("checks never write"));
  }

  mountBlob(): Promise<boolean> {
    return Promise.reject(new RegistryError("checks never write"));
  }

  #find(repo: string, ref: string): ManifestBytes | null {
    const digest = ref.startsWith("sha256:") ? ref : this.#tags.get(repo)?.get(ref);
    return (digest && this.#manifests.get(repo)?.get(digest)) || null;
  }

  #map<V>(m: Map<string, Map<string, V>>, repo: string): Map<string, V> {
    let inner = m.get(repo);
    if (!inner) {
      inner = new Map();
      m.set(repo, inner);
    }
    return inner;
  }
}
