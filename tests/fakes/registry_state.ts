/** The storage of the fake registry: repositories, manifests, tags, blobs, upload sessions. */
import { digestOf, type ImageFixture, type IndexFixture } from "../fixtures/images.ts";

/** A stored manifest: exact bytes and media type. */
export interface StoredManifest {
  mediaType: string;
  bytes: Uint8Array;
  /** Order of arrival, used as a fake upload time. */
  seq: number;
  /** The digest its `subject` names (OCI 1.1 referrers), if any. */
  subject?: string;
}

/** One repository of the fake. */
export interface RepoState {
  manifests: Map<string, StoredManifest>;
  tags: Map<string, string>;
  /** Digests of the blobs linked into this repository. */
  blobs: Set<string>;
}

/** An open upload session. */
export interface UploadSession {
  repo: string;
  state: string;
  chunks: Uint8Array[];
  size: number;
}

/** Why a manifest could not be stored. */
export class ManifestRejected extends Error {
  /** `code` is the OCI error code to answer with. */
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** Index and list media types (their `manifests` are children). */
const INDEX_TYPES = new Set([
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
]);

/** Whether a media type is a manifest list or image index. */
export function isIndexType(mediaType: string): boolean {
  return INDEX_TYPES.has(mediaType);
}

/** All state of one fake registry. */
export class RegistryState {
  /** Blob bytes by digest (shared storage; repositories link to them). */
  readonly blobs = new Map<string, Uint8Array>();
  readonly repos = new Map<string, RepoState>();
  readonly uploads = new Map<string, UploadSession>();
  #seq = 0;

  /** The repository, created on first write. */
  repo(name: string): RepoState {
    let r = this.repos.get(name);
    if (r === undefined) {
      r = { manifests: new Map(), tags: new Map(), blobs: new Set() };
      this.repos.set(name, r);
    }
    return r;
  }

  /** Stores a blob and links it into a repository. */
  putBlob(repo: string, digest: string, bytes: Uint8Array): void {
    this.blobs.set(digest, bytes);
    this.repo(repo).blobs.add(digest);
  }

  /** Resolves a tag or digest in a repository. */
  resolve(repo: string, ref: string): { digest: string; manifest: StoredManifest } | undefined {
    const r = this.repos.get(repo);
    if (r === undefined) return undefined;
    const digest = ref.startsWith("sha256:") ? ref : r.tags.get(ref);
    if (digest === undefined) return undefined;
    const manifest = r.manifests.get(digest);
    return manifest === undefined ? undefined : { digest, manifest };
  }

  /**
   * Stores manifest bytes under a tag or digest, checking the digest and that every blob and
   * child it references is present in the repository.
   */
  putManifest(repo: string, ref: string, mediaType: string, bytes: Uint8Array): string {
    const digest = digestOf(bytes);
    if (ref.startsWith("sha256:") && ref !== digest) {
      throw new ManifestRejected("DIGEST_INVALID", `manifest digest ${digest} is not ${ref}`);
    }
    let parsed: {
      config?: { digest: string };
      layers?: { digest: string }[];
      manifests?: { digest: string }[];
      subject?: { digest?: unknown };
    };
    try {
      parsed = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new ManifestRejected("MANIFEST_INVALID", "manifest is not JSON");
    }
    const r = this.repos.get(repo);
    const blobs = [parsed.config, ...(parsed.layers ?? [])].filter((d) => d !== undefined);
    for (const b of blobs) {
      if (!r?.blobs.has(b.digest)) {
        throw new ManifestRejected("MANIFEST_BLOB_UNKNOWN", `blob unknown: ${b.digest}`);
      }
    }
    for (const m of parsed.manifests ?? []) {
      if (!r?.manifests.has(m.digest)) {
        throw new ManifestRejected("MANIFEST_BLOB_UNKNOWN", `manifest unknown: ${m.digest}`);
      }
    }
    const state = this.repo(repo);
    if (!state.manifests.has(digest)) {
      const stored: StoredManifest = { mediaType, bytes, seq: ++this.#seq };
      // The subject need not exist (yet): referrers may be pushed before what they refer to.
      if (typeof parsed.subject?.digest === "string") stored.subject = parsed.subject.digest;
      state.manifests.set(digest, stored);
    }
    if (!ref.startsWith("sha256:")) state.tags.set(ref, digest);
    return digest;
  }

  /** Stores an image (blobs and manifest) under tags, or by digest when `tags` is empty. */
  seedImage(repo: string, image: ImageFixture, tags: string[] = []): void {
    for (const b of [image.config, ...image.layers]) this.putBlob(repo, b.digest, b.bytes);
    const refs = tags.length === 0 ? [image.manifest.digest] : tags;
    for (const ref of refs) {
      this.putManifest(repo, ref, image.manifest.mediaType, image.manifest.bytes);
    }
  }

  /** Stores an index with all its children, the index under `tags` (or its digest). */
  seedIndex(repo: string, index: IndexFixture, tags: string[] = []): void {
    for (const child of index.children) this.seedImage(repo, child, []);
    const refs = tags.length === 0 ? [index.manifest.digest] : tags;
    for (const ref of refs) {
      this.putManifest(repo, ref, index.manifest.mediaType, index.manifest.bytes);
    }
  }

  /** Repository names, sorted. */
  names(): string[] {
    return [...this.repos.keys()].sort();
  }

  /** Immediate sub-repository components below `repo` (the extension's `child`). */
  children(repo: string): string[] {
    const prefix = repo + "/";
    const out = new Set<string>();
    for (const name of this.repos.keys()) {
      if (name.startsWith(prefix)) out.add(name.slice(prefix.length).split("/")[0]!);
    }
    return [...out].sort();
  }

  /** The total size of an image as the extension reports it ("0" for lists). */
  imageSize(m: StoredManifest): number {
    if (isIndexType(m.mediaType)) return 0;
    const parsed = JSON.parse(new TextDecoder().decode(m.bytes)) as {
      config?: { size: number };
      layers?: { size: number }[];
    };
    return [parsed.config, ...(parsed.layers ?? [])]
      .reduce((sum, d) => sum + (d?.size ?? 0), m.bytes.length);
  }
}
