/**
 * The OCI image layout backend: `ocidir://PATH` is a directory holding one OCI image layout
 * per image name (`PATH/<name>/oci-layout`, `index.json`, `blobs/sha256/<hex>`). Tags are
 * `index.json` entries annotated with `org.opencontainers.image.ref.name`; a digest without a
 * tag is an entry without it. Writes are atomic and verified; reads are verified.
 */
import { dirname, resolve } from "node:path";
import type {
  Backend,
  BlobStream,
  Descriptor,
  ListedManifest,
  ManifestBytes,
  TagListing,
} from "../api.ts";
import { sha256Digest } from "../digest_check.ts";
import { RegistryError } from "../errors.ts";
import { outsideText } from "../../safe_text.ts";
import { isDigest, isTag } from "../reference.ts";
import { checkBlobFile, openVerified, readVerified, streamOf, writeBlob } from "./blob.ts";
import { type Checkpoint, fsError, lstatOrNull, syncDir, type WriteOptions } from "./fs_util.ts";
import { blobPath, ensureLayout, type LayoutState, readLayout, recordEntry } from "./layout.ts";
import { LayoutRoot } from "./layout_root.ts";
import { manifestFacts } from "./manifest.ts";
import { type ChildCache, manifestSet, type Member } from "./manifest_set.ts";
import { type ReferrerCache, referrersIn } from "./referrers.ts";
import { walkLayouts } from "./repository.ts";

/** Options of an OCI layout directory backend. */
export interface OciDirOptions {
  /** The name for messages; defaults to `ocidir://<root as given>`. */
  display?: string;
  /** Whether to fsync files and directories after writing them (default true). */
  fsync?: boolean;
  /** Called at each write point (tests stop the process there to simulate a crash). */
  checkpoint?: Checkpoint;
}

/** A manifest found in a layout: its descriptor, its blob path, its bytes if already read. */
interface Found {
  desc: Descriptor;
  path: string;
  bytes?: Uint8Array;
}

/** A registry backed by a directory of OCI image layouts, one per repository. */
export class OciDirBackend implements Backend {
  /** `ocidir:` and the absolute root: backends with equal ids share blobs by hard links. */
  readonly id: string;
  /** `ocidir://<root>` unless given. */
  readonly display: string;
  #root: LayoutRoot;
  #opts: WriteOptions;
  /** Layout directories this backend has created or checked (they exist and are layouts). */
  #ready = new Set<string>();
  /** The children of index blobs already read. */
  #children: ChildCache = new Map();
  /** What manifest blobs already read refer to. */
  #referrers: ReferrerCache = new Map();

  /** `root` is a directory path, relative to the current directory or absolute. */
  constructor(root: string, opts: OciDirOptions = {}) {
    this.display = opts.display ?? `ocidir://${root}`;
    this.id = `ocidir:${resolve(root)}`;
    this.#root = new LayoutRoot(root, this.display);
    const layoutRoot = this.#root;
    this.#opts = {
      fsync: opts.fsync ?? true,
      checkpoint: opts.checkpoint,
      inside: async (dir) => void await layoutRoot.assertInside(dir),
    };
  }

  /** Fails when the root directory does not exist (a source not there is not an empty one). */
  async checkPresent(): Promise<void> {
    if (await this.#root.real(false) === null) {
      throw new RegistryError(`Cannot read ${this.display}: ${this.#root.abs} does not exist`);
    }
  }

  /** The layouts below the root equal to or below `prefix`, sorted; refuses a missing root. */
  async listRepositories(prefix: string): Promise<string[]> {
    return await walkLayouts(this.#root, prefix);
  }

  /**
   * Tags and every manifest (digest -> media type, size, tags): the index entries and the
   * children reachable from them. None for a repository that does not exist.
   */
  async listTags(repo: string): Promise<TagListing> {
    const state = await readLayout(this.#root, repo);
    const manifests = new Map<string, ListedManifest>();
    const tags: string[] = [];
    if (state === null) return { tags, manifests, absent: true };
    for (const [digest, m] of await this.#manifests(state)) {
      manifests.set(digest, { mediaType: m.mediaType, size: m.size, tags: m.tags });
      tags.push(...m.tags);
    }
    return { tags: tags.sort(), manifests };
  }

  /** The descriptor of a manifest by tag or digest, or null. */
  async headManifest(repo: string, ref: string): Promise<Descriptor | null> {
    return (await this.#find(repo, ref))?.desc ?? null;
  }

  /** A manifest's exact bytes by tag or digest (checked against the digest), or null. */
  async getManifest(repo: string, ref: string): Promise<ManifestBytes | null> {
    const found = await this.#find(repo, ref);
    if (found === null) return null;
    const bytes = found.bytes ?? (await readVerified(found.path, found.desc.digest));
    return { mediaType: found.desc.mediaType, digest: found.desc.digest, bytes };
  }

  /**
   * Stores a manifest: checks its digest and that its blobs and children are present, writes
   * it as a blob, then records it in `index.json` under the tag (or untagged for a digest).
   * Refuses to move a tag.
   */
  async putManifest(
    repo: string,
    ref: string,
    manifest: ManifestBytes,
    replacing?: string,
  ): Promise<void> {
    this.#checkRef(repo, ref);
    const where = `${this.display} repository ${repo}`;
    const digest = sha256Digest(manifest.bytes);
    if (digest !== manifest.digest || (isDigest(ref) && ref !== digest)) {
      throw new RegistryError(
        `Cannot store manifest ${isDigest(ref) ? ref : manifest.digest} in ${where}: ` +
          `its bytes have digest ${digest}`,
        { codes: ["DIGEST_INVALID"] },
      );
    }
    const facts = manifestFacts(manifest.bytes);
    if ("problem" in facts) {
      throw new RegistryError(`Cannot store manifest ${digest} in ${where}: ${facts.problem}`, {
        codes: ["MANIFEST_INVALID"],
      });
    }
    if (facts.mediaType !== manifest.mediaType) {
      throw new RegistryError(
        `Cannot store manifest ${digest} in ${where}: it was given as ${
          outsideText(manifest.mediaType)
        } ` +
          `but its content is ${facts.mediaType}`,
        { codes: ["MANIFEST_INVALID"] },
      );
    }
    const tag = isDigest(ref) ? null : ref;
    if (tag !== null) await this.#refuseTagMove(repo, tag, digest, where, replacing);
    const dir = await this.#ensure(repo);
    const missing: string[] = [];
    for (const d of [...facts.blobs, ...facts.children]) {
      if (!isDigest(d) || !(await this.#blobPresent(dir, d))) missing.push(d);
    }
    if (missing.length > 0) {
      throw new RegistryError(
        `Cannot store manifest ${digest} in ${where}: it references ${missing.length} ` +
          `blob(s) or manifest(s) not present there, first ${missing[0]}`,
        { codes: ["MANIFEST_BLOB_UNKNOWN"] },
      );
    }
    const size = manifest.bytes.length;
    const path = blobPath(dir, digest);
    if (!(await this.#blobPresent(dir, digest, size))) {
      const desc = { mediaType: manifest.mediaType, digest, size };
      await writeBlob(path, dir, desc, streamOf(manifest.bytes), this.#opts);
    }
    const entry = { mediaType: manifest.mediaType, digest, size, tag };
    await recordEntry(
      this.#root,
      repo,
      tag !== null && replacing !== undefined ? { ...entry, replacing } : entry,
      { ...this.#opts },
    );
  }

  /**
   * The manifests of the layout's `index.json` whose subject is `digest` (see referrers.ts);
   * a layout always answers, so it never says "no API".
   */
  async listReferrers(repo: string, digest: string): Promise<unknown[] | null> {
    this.#checkDigest(repo, digest);
    const state = await readLayout(this.#root, repo);
    if (state === null) return [];
    return await referrersIn(state, digest, this.#referrers, (path) => this.#blobInfo(path));
  }

  /** Whether the blob file exists in the repository's layout. */
  async hasBlob(repo: string, digest: string): Promise<boolean> {
    this.#checkDigest(repo, digest);
    const dir = await this.#existing(repo);
    return dir !== null && (await this.#blobPresent(dir, digest));
  }

  /**
   * Opens a blob; the stream fails at its end when the file does not match its digest (a file
   * needs no transfer deadline, so a given size is not used).
   */
  async getBlob(repo: string, digest: string): Promise<BlobStream> {
    this.#checkDigest(repo, digest);
    const dir = await this.#existing(repo);
    if (dir === null || !(await this.#blobPresent(dir, digest))) {
      throw new RegistryError(
        `Blob ${digest} is not present in ${this.display} repository ${repo}`,
        {
          codes: ["BLOB_UNKNOWN"],
        },
      );
    }
    return await openVerified(blobPath(dir, digest), digest);
  }

  /** Stores a blob through a temporary file, checking digest and size; skips a present one. */
  async putBlob(repo: string, blob: Descriptor, body: ReadableStream<Uint8Array>): Promise<void> {
    this.#checkDigest(repo, blob.digest);
    const dir = await this.#ensure(repo);
    if (await this.#blobPresent(dir, blob.digest, blob.size)) {
      await body.cancel().catch(() => {});
      return;
    }
    await writeBlob(blobPath(dir, blob.digest), dir, blob, body, this.#opts);
  }

  /**
   * Makes a blob of `fromRepo` present in `repo` by a hard link of the (verified) file, or a
   * verified copy where links are impossible. False when `fromRepo` does not have it.
   */
  async mountBlob(repo: string, digest: string, fromRepo: string): Promise<boolean> {
    this.#checkDigest(repo, digest);
    if (repo === fromRepo) return await this.hasBlob(repo, digest);
    const srcDir = await this.#existing(fromRepo);
    if (srcDir === null || !(await this.#blobPresent(srcDir, digest))) return false;
    const src = await this.#root.assertInside(blobPath(srcDir, digest));
    await checkBlobFile(src, digest);
    const dir = await this.#ensure(repo);
    if (await this.#blobPresent(dir, digest)) return true;
    const dst = blobPath(dir, digest);
    await this.#opts.inside(dirname(dst));
    try {
      await Deno.link(src, dst);
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) return true;
      const { size, body } = await openVerified(src, digest);
      await writeBlob(dst, dir, { mediaType: "", digest, size }, body, this.#opts);
      return true;
    }
    if (this.#opts.fsync) {
      await syncDir(dirname(dst)).catch((e) => Promise.reject(fsError("sync", dst, e)));
    }
    await this.#opts.checkpoint?.("blob-stored", dst);
    return true;
  }

  /** Resolves a tag or digest to a manifest of the layout, or null. */
  async #find(repo: string, ref: string): Promise<Found | null> {
    this.#checkRef(repo, ref);
    const state = await readLayout(this.#root, repo);
    if (state === null) return null;
    this.#ready.add(state.dir);
    const entry = state.index.entries.find((e) => isDigest(ref) ? e.digest === ref : e.tag === ref);
    if (entry !== undefined) return await this.#indexed(state, entry);
    if (!isDigest(ref)) return null;
    const child = (await this.#manifests(state)).get(ref);
    if (child === undefined) return null;
    return await this.#indexed(state, {
      mediaType: child.mediaType,
      digest: ref,
      size: child.size,
    });
  }

  /** The manifests of a layout: index entries and the children reachable from them. */
  async #manifests(state: LayoutState): Promise<Map<string, Member>> {
    return await manifestSet(state, this.#children, (path) => this.#blobInfo(path));
  }

  /** The manifest a descriptor names; throws when its blob is missing or of another size. */
  async #indexed(state: LayoutState, entry: Descriptor): Promise<Found> {
    const path = blobPath(state.dir, entry.digest);
    const info = await this.#blobInfo(path);
    if (info === null) {
      throw new RegistryError(
        `${state.dir}/index.json names ${entry.digest}, but its blob file ${path} is missing`,
      );
    }
    if (info.size !== entry.size) {
      throw new RegistryError(
        `${state.dir} gives ${entry.digest} a size of ${entry.size} bytes, ` +
          `but ${path} holds ${info.size}`,
      );
    }
    return {
      desc: { mediaType: entry.mediaType, digest: entry.digest, size: entry.size },
      path,
    };
  }

  /**
   * Throws when a tag of the repository already names another digest than `digest` or the one
   * it is `replacing` (checked early; again under the lock).
   */
  async #refuseTagMove(
    repo: string,
    tag: string,
    digest: string,
    where: string,
    replacing?: string,
  ): Promise<void> {
    const state = await readLayout(this.#root, repo);
    const holder = state?.index.entries.find((e) => e.tag === tag);
    if (holder !== undefined && holder.digest !== digest && holder.digest !== replacing) {
      throw new RegistryError(
        `Cannot tag ${digest} as "${tag}" in ${where}: the tag already points at ` +
          `${holder.digest}, and tags are never moved`,
        { codes: ["DENIED"] },
      );
    }
  }

  /**
   * The blob file's facts, or null when absent. Its real path (every symlink on the way, the
   * file's own and its directories', resolved) must lie inside the root: a layout whose
   * `blobs` leads elsewhere is refused, never read from or written to.
   */
  async #blobInfo(path: string): Promise<Deno.FileInfo | null> {
    if ((await lstatOrNull(path)) === null) return null;
    const real = await this.#root.assertInside(path);
    const target = await Deno.stat(real);
    return target.isFile ? target : null;
  }

  /** Whether a layout holds a blob file (of `size` bytes, when given). */
  async #blobPresent(dir: string, digest: string, size?: number): Promise<boolean> {
    const info = await this.#blobInfo(blobPath(dir, digest));
    return info !== null && (size === undefined || info.size === size);
  }

  /** The layout directory of an existing repository (checked once), or null. */
  async #existing(repo: string): Promise<string | null> {
    const dir = this.#root.layoutDir(repo);
    if (this.#ready.has(dir)) return dir;
    const state = await readLayout(this.#root, repo);
    if (state === null) return null;
    this.#ready.add(dir);
    return dir;
  }

  /** Creates the repository's layout when needed and returns its directory. */
  async #ensure(repo: string): Promise<string> {
    const dir = this.#root.layoutDir(repo);
    if (this.#ready.has(dir)) return dir;
    await ensureLayout(this.#root, repo, this.#opts);
    this.#ready.add(dir);
    return dir;
  }

  /** Refuses a reference that is neither a tag nor a digest. */
  #checkRef(repo: string, ref: string): void {
    if (!isTag(ref) && !isDigest(ref)) {
      throw new RegistryError(
        `Cannot use ${JSON.stringify(ref)} in ${this.display} repository ${repo}: ` +
          "it is neither a tag nor a sha256 digest",
        { codes: ["NAME_INVALID"] },
      );
    }
  }

  /** Refuses a malformed digest. */
  #checkDigest(repo: string, digest: string): void {
    if (!isDigest(digest)) {
      throw new RegistryError(
        `Cannot use blob ${JSON.stringify(digest)} in ${this.display} repository ${repo}: ` +
          "it is not a sha256 digest",
        { codes: ["DIGEST_INVALID"] },
      );
    }
  }
}
