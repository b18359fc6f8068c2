/**
 * The storage of the simulated Google-style registries: one content store (manifest and blob
 * bytes by digest) shared by every host, and per host its repositories, each holding a set of
 * manifest digests, tags and the blobs written into it. Lean on purpose: the Kubernetes
 * simulation keeps ~40,000 manifests in each of 23 hosts.
 */
import { createHash } from "node:crypto";

/** A manifest of the content store. */
export interface SimManifest {
  digest: string;
  mediaType: string;
  bytes: Uint8Array;
  /** Child manifest digests (indexes), in order. */
  children: string[];
  /** Blob digests it references (config and layers of an image). */
  blobs: string[];
  /** What the tags/list extension reports as `imageSizeBytes` (0 for indexes). */
  size: number;
}

/** The digest of some bytes, `sha256:<hex>`. */
export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** Manifests and blobs by digest, shared by every simulated host. */
export class ContentStore {
  readonly manifests = new Map<string, SimManifest>();
  readonly blobs = new Map<string, Uint8Array>();
  /** For each blob, the manifests that reference it (a repository holding one holds the blob). */
  readonly owners = new Map<string, string[]>();

  /** Adds a manifest (its blobs must have been added); returns it. */
  addManifest(m: SimManifest): SimManifest {
    if (this.manifests.has(m.digest)) return this.manifests.get(m.digest)!;
    this.manifests.set(m.digest, m);
    for (const b of m.blobs) {
      const list = this.owners.get(b);
      if (list) list.push(m.digest);
      else this.owners.set(b, [m.digest]);
    }
    return m;
  }

  /** Adds a blob; returns its digest. */
  addBlob(bytes: Uint8Array): string {
    const digest = sha256(bytes);
    this.blobs.set(digest, bytes);
    return digest;
  }
}

/** One repository of one host. */
export interface SimRepo {
  manifests: Set<string>;
  tags: Map<string, string>;
  /** Blobs written into it (uploaded or mounted); blobs of its manifests count as held too. */
  blobs: Set<string>;
}

/** The repositories of one host. */
export class HostState {
  readonly repos = new Map<string, SimRepo>();
  /** Immediate sub-repository components of every path prefix (the extension's `child`). */
  readonly #children = new Map<string, Set<string>>();
  /** Cached tags/list answers, dropped when their repository changes. */
  readonly listings = new Map<string, string>();

  /** A store shared with the other hosts. */
  constructor(readonly store: ContentStore) {}

  /** The repository, created (and linked under its parents) on first use. */
  repo(name: string): SimRepo {
    let r = this.repos.get(name);
    if (r) return r;
    r = { manifests: new Set(), tags: new Map(), blobs: new Set() };
    this.repos.set(name, r);
    const parts = name.split("/");
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join("/");
      let set = this.#children.get(prefix);
      if (!set) this.#children.set(prefix, set = new Set());
      if (!set.has(parts[i]!)) {
        set.add(parts[i]!);
        this.listings.delete(prefix);
      }
    }
    return r;
  }

  /** Sub-repository components directly below `name`, sorted. */
  children(name: string): string[] {
    return [...(this.#children.get(name) ?? [])].sort();
  }

  /** Stores a known manifest and, for an index, its children (untagged); then tags it. */
  seed(repo: string, digest: string, tags: readonly string[] = []): void {
    const m = this.store.manifests.get(digest);
    if (!m) throw new Error(`seed: ${digest} is not in the content store`);
    const r = this.repo(repo);
    for (const c of m.children) this.seed(repo, c);
    r.manifests.add(digest);
    for (const t of tags) r.tags.set(t, digest);
    this.listings.delete(repo);
  }

  /** Whether `repo` holds blob `digest` (written into it, or referenced by a manifest it holds). */
  holdsBlob(repo: string, digest: string): boolean {
    const r = this.repos.get(repo);
    if (!r) return false;
    if (r.blobs.has(digest)) return true;
    return (this.store.owners.get(digest) ?? []).some((m) => r.manifests.has(m));
  }

  /** A manifest by tag or digest in a repository, if held. */
  resolve(repo: string, ref: string): SimManifest | undefined {
    const r = this.repos.get(repo);
    if (!r) return undefined;
    const digest = ref.startsWith("sha256:") ? ref : r.tags.get(ref);
    if (digest === undefined || !r.manifests.has(digest)) return undefined;
    return this.store.manifests.get(digest);
  }

  /**
   * Stores manifest bytes under a tag or digest as a strict registry does: the digest must
   * match, and every blob and child must already be in the repository. Returns the digest, or
   * an OCI error code and message.
   */
  put(
    repo: string,
    ref: string,
    mediaType: string,
    bytes: Uint8Array,
  ): { digest: string } | { code: string; message: string } {
    const digest = sha256(bytes);
    if (ref.startsWith("sha256:") && ref !== digest) {
      return { code: "DIGEST_INVALID", message: `manifest digest ${digest} is not ${ref}` };
    }
    let known = this.store.manifests.get(digest);
    if (!known) {
      let doc: {
        config?: { digest: string };
        layers?: { digest: string }[];
        manifests?: { digest: string }[];
      };
      try {
        doc = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        return { code: "MANIFEST_INVALID", message: "manifest is not JSON" };
      }
      known = {
        digest,
        mediaType,
        bytes,
        children: (doc.manifests ?? []).map((c) => c.digest),
        blobs: [doc.config, ...(doc.layers ?? [])].filter((d) => d !== undefined).map((d) =>
          d.digest
        ),
        size: 0,
      };
      if (known.children.length === 0) {
        known.size = known.blobs.reduce(
          (n, b) => n + (this.store.blobs.get(b)?.length ?? 0),
          bytes.length,
        );
      }
    }
    const r = this.repos.get(repo);
    for (const b of known.blobs) {
      if (!this.holdsBlob(repo, b)) {
        return { code: "MANIFEST_BLOB_UNKNOWN", message: `blob unknown: ${b}` };
      }
    }
    for (const c of known.children) {
      if (!r?.manifests.has(c)) {
        return { code: "MANIFEST_BLOB_UNKNOWN", message: `manifest unknown: ${c}` };
      }
    }
    this.store.addManifest(known);
    const state = this.repo(repo);
    state.manifests.add(digest);
    if (!ref.startsWith("sha256:")) state.tags.set(ref, digest);
    this.listings.delete(repo);
    return { digest };
  }
}
