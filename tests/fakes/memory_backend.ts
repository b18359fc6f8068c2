/**
 * An in-memory Backend that behaves like a strict registry (it refuses manifests whose blobs or
 * children are missing and blobs whose bytes do not match their digest), records every call,
 * and can inject faults.
 */
import { createHash } from "node:crypto";
import type {
  Backend,
  BlobStream,
  Descriptor,
  ManifestBytes,
  TagListing,
} from "../../src/registry/api.ts";
import { RegistryError } from "../../src/registry/errors.ts";
import { digestOf } from "../fixtures/images.ts";

/** The operations of the Backend interface, as recorded. */
export type Op =
  | "checkPresent"
  | "listRepositories"
  | "listTags"
  | "headManifest"
  | "getManifest"
  | "putManifest"
  | "listReferrers"
  | "hasBlob"
  | "getBlob"
  | "putBlob"
  | "mountBlob";

/** The operations that change the registry. */
const WRITE_OPS: ReadonlySet<Op> = new Set(["putManifest", "putBlob", "mountBlob"]);

/** One recorded call. */
export interface Call {
  op: Op;
  repo: string;
  ref: string;
}

interface Repo {
  manifests: Map<string, ManifestBytes>;
  tags: Map<string, string>;
  blobs: Set<string>;
}

/** A registry held in memory; several instances may share a blob store by sharing `id`. */
export class MemoryBackend implements Backend {
  readonly id: string;
  readonly display: string;
  readonly calls: Call[] = [];
  /** Returns an error to throw for a call, or undefined to let it through. */
  fault: (call: Call) => Error | undefined = () => undefined;
  /** Whether mountBlob works (false: it answers like a 202, "not mounted"). */
  canMount = true;
  /** Whether it has the OCI 1.1 referrers API (false: it answers "no API", as docker-registry). */
  referrersApi = false;
  #repos = new Map<string, Repo>();
  #blobs = new Map<string, Uint8Array>();

  /** A new empty registry. */
  constructor(id: string, display = id) {
    this.id = id;
    this.display = display;
  }

  /** The number of write calls so far. */
  writes(): number {
    return this.calls.filter((c) => WRITE_OPS.has(c.op)).length;
  }

  /** The recorded calls of one operation. */
  callsOf(op: Op): Call[] {
    return this.calls.filter((c) => c.op === op);
  }

  /** Stores bytes as a blob in a repository directly (no call recorded). */
  seedBlob(repo: string, bytes: Uint8Array): Descriptor {
    const digest = digestOf(bytes);
    this.#blobs.set(digest, bytes);
    this.#repo(repo).blobs.add(digest);
    return { mediaType: "application/octet-stream", digest, size: bytes.length };
  }

  /** Stores a manifest directly (no checks, no call recorded); returns its digest. */
  seedManifest(repo: string, mediaType: string, bytes: Uint8Array, tags: string[] = []): string {
    const digest = digestOf(bytes);
    const r = this.#repo(repo);
    r.manifests.set(digest, { mediaType, digest, bytes });
    for (const t of tags) r.tags.set(t, digest);
    return digest;
  }

  /** The digest a tag points at, if any. */
  tagged(repo: string, tag: string): string | undefined {
    return this.#repos.get(repo)?.tags.get(tag);
  }

  /** The exact bytes stored for a manifest digest, if any. */
  manifestBytes(repo: string, digest: string): Uint8Array | undefined {
    return this.#repos.get(repo)?.manifests.get(digest)?.bytes;
  }

  /** Whether a repository holds a blob (no call recorded). */
  holdsBlob(repo: string, digest: string): boolean {
    return this.#repos.get(repo)?.blobs.has(digest) ?? false;
  }

  checkPresent(): Promise<void> {
    const fault = this.#record("checkPresent", "", "");
    return fault ? Promise.reject(fault) : Promise.resolve();
  }

  listRepositories(prefix: string): Promise<string[]> {
    const fault = this.#record("listRepositories", "", prefix);
    if (fault) return Promise.reject(fault);
    return Promise.resolve(
      [...this.#repos.keys()].filter((r) =>
        prefix === "" || r === prefix || r.startsWith(`${prefix}/`)
      ).sort(),
    );
  }

  listTags(repo: string): Promise<TagListing> {
    const fault = this.#record("listTags", repo, "");
    if (fault) return Promise.reject(fault);
    return Promise.resolve({ tags: [...(this.#repos.get(repo)?.tags.keys() ?? [])].sort() });
  }

  headManifest(repo: string, ref: string): Promise<Descriptor | null> {
    const fault = this.#record("headManifest", repo, ref);
    if (fault) return Promise.reject(fault);
    const m = this.#find(repo, ref);
    return Promise.resolve(
      m ? { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length } : null,
    );
  }

  getManifest(repo: string, ref: string): Promise<ManifestBytes | null> {
    const fault = this.#record("getManifest", repo, ref);
    if (fault) return Promise.reject(fault);
    const m = this.#find(repo, ref);
    return Promise.resolve(m ? { ...m, bytes: m.bytes.slice() } : null);
  }

  putManifest(repo: string, ref: string, manifest: ManifestBytes): Promise<void> {
    try {
      return this.#putManifest(repo, ref, manifest);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #putManifest(repo: string, ref: string, manifest: ManifestBytes): Promise<void> {
    const fault = this.#record("putManifest", repo, ref);
    if (fault) return Promise.reject(fault);
    const digest = digestOf(manifest.bytes);
    if (ref.startsWith("sha256:") && ref !== digest) {
      throw new RegistryError(`digest ${ref} does not match the manifest`, {
        status: 400,
        codes: ["DIGEST_INVALID"],
      });
    }
    const r = this.#repo(repo);
    const doc = JSON.parse(new TextDecoder().decode(manifest.bytes));
    for (const c of doc.manifests ?? []) {
      if (!r.manifests.has(c.digest)) {
        throw new RegistryError(`child ${c.digest} unknown`, {
          status: 400,
          codes: ["MANIFEST_BLOB_UNKNOWN"],
        });
      }
    }
    for (const b of [doc.config, ...(doc.layers ?? [])].filter((x) => x)) {
      if (!r.blobs.has(b.digest)) {
        throw new RegistryError(`blob ${b.digest} unknown`, {
          status: 400,
          codes: ["MANIFEST_BLOB_UNKNOWN"],
        });
      }
    }
    r.manifests.set(digest, { mediaType: manifest.mediaType, digest, bytes: manifest.bytes });
    if (!ref.startsWith("sha256:")) r.tags.set(ref, digest);
    return Promise.resolve();
  }

  listReferrers(repo: string, digest: string): Promise<unknown[] | null> {
    const fault = this.#record("listReferrers", repo, digest);
    if (fault) return Promise.reject(fault);
    if (!this.referrersApi) return Promise.resolve(null);
    const out: unknown[] = [];
    for (const m of this.#repos.get(repo)?.manifests.values() ?? []) {
      const doc = JSON.parse(new TextDecoder().decode(m.bytes));
      if (doc.subject?.digest !== digest) continue;
      const d: Record<string, unknown> = {
        mediaType: m.mediaType,
        digest: m.digest,
        size: m.bytes.length,
      };
      const artifactType = doc.artifactType ?? doc.config?.mediaType;
      if (artifactType !== undefined) d.artifactType = artifactType;
      if (doc.annotations !== undefined) d.annotations = doc.annotations;
      out.push(d);
    }
    return Promise.resolve(out);
  }

  hasBlob(repo: string, digest: string): Promise<boolean> {
    const fault = this.#record("hasBlob", repo, digest);
    if (fault) return Promise.reject(fault);
    return Promise.resolve(this.holdsBlob(repo, digest));
  }

  getBlob(repo: string, digest: string): Promise<BlobStream> {
    const fault = this.#record("getBlob", repo, digest);
    if (fault) return Promise.reject(fault);
    const bytes = this.holdsBlob(repo, digest) ? this.#blobs.get(digest) : undefined;
    if (!bytes) {
      return Promise.reject(
        new RegistryError(`blob ${digest} unknown`, { status: 404, codes: ["BLOB_UNKNOWN"] }),
      );
    }
    const chunk = 4096;
    let at = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(ctl) {
        if (at >= bytes.length) return ctl.close();
        ctl.enqueue(bytes.slice(at, at += chunk));
      },
    });
    return Promise.resolve({ size: bytes.length, body });
  }

  async putBlob(repo: string, blob: Descriptor, body: ReadableStream<Uint8Array>): Promise<void> {
    const fault = this.#record("putBlob", repo, blob.digest);
    if (fault) return Promise.reject(fault);
    const hash = createHash("sha256");
    const parts: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of body) {
      hash.update(chunk);
      parts.push(chunk);
      size += chunk.length;
    }
    const digest = `sha256:${hash.digest("hex")}`;
    if (digest !== blob.digest || size !== blob.size) {
      throw new RegistryError(`blob ${blob.digest} does not match its bytes`, {
        status: 400,
        codes: ["DIGEST_INVALID"],
      });
    }
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const p of parts) bytes.set(p, (at += p.length) - p.length);
    this.#blobs.set(digest, bytes);
    this.#repo(repo).blobs.add(digest);
  }

  mountBlob(repo: string, digest: string, fromRepo: string): Promise<boolean> {
    const fault = this.#record("mountBlob", repo, digest);
    if (fault) return Promise.reject(fault);
    if (!this.canMount || !this.holdsBlob(fromRepo, digest)) return Promise.resolve(false);
    this.#repo(repo).blobs.add(digest);
    return Promise.resolve(true);
  }

  /** Records a call; returns the injected fault, if any, for the caller to reject with. */
  #record(op: Op, repo: string, ref: string): Error | undefined {
    const call = { op, repo, ref };
    this.calls.push(call);
    return this.fault(call);
  }

  #find(repo: string, ref: string): ManifestBytes | undefined {
    const r = this.#repos.get(repo);
    if (!r) return undefined;
    const digest = ref.startsWith("sha256:") ? ref : r.tags.get(ref);
    return digest === undefined ? undefined : r.manifests.get(digest);
  }

  #repo(name: string): Repo {
    let r = this.#repos.get(name);
    if (!r) this.#repos.set(name, r = { manifests: new Map(), tags: new Map(), blobs: new Set() });
    return r;
  }
}
