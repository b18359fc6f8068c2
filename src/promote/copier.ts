/**
 * Digest-preserving copies between backends, deduplicated across a whole run: every blob is
 * transferred at most once per destination repository and every manifest or tag is PUT at most
 * once per destination reference (memoised promises). Children and blobs go in before the
 * manifest that references them.
 */
import { Logger } from "../log.ts";
import {
  type Backend,
  ContentReader,
  type Descriptor,
  type ManifestBytes,
  RegistryError,
  type RepoInventory,
  RetryPolicy,
  TransportStats,
} from "../registry/mod.ts";
import { bytesMatchDigest, manifestRefs } from "./manifest_refs.ts";

/** A repository in a backend. */
export interface Endpoint {
  backend: Backend;
  repo: string;
  /**
   * What the run's listing of the repository showed, when it was listed. The copier asks no
   * question whose answer it gives: no manifest HEAD for a digest the listing showed, or that
   * a complete listing did not name; no blob or manifest HEAD in a repository that did not
   * exist (what this run puts there it knows of: each write is made once per run; a blob an
   * interrupted upload left there is sent again, which costs bytes, never correctness).
   */
  listed?: RepoInventory;
}

/** Blobs up to this size are counted in progress as a whole once stored, not chunk by chunk. */
const WHOLE_PROGRESS_LIMIT = 1024 * 1024;

/** What a copier did, for summaries and benchmarks. */
export interface CopyStats {
  blobsStreamed: number;
  blobsMounted: number;
  blobsPresent: number;
  bytesStreamed: number;
  manifestsPut: number;
  manifestsPresent: number;
  tagsPut: number;
}

/** Hooks and knobs of a copier; all optional. */
export interface CopierOptions {
  /**
   * The run's retry policy, by which a blob copy that failed is started again (default: a
   * policy of its own on the real clock; runs pass their registries' one policy).
   */
  policy?: RetryPolicy;
  /** Called as blob bytes flow (negative when an attempt is abandoned). */
  onBytes?: (n: number) => void;
  /** Called when a blob transfer of this many bytes starts. */
  onBlob?: (size: number) => void;
  /**
   * The run's reader of registry contents: source manifests read while planning are not read
   * again (default: a reader of its own).
   */
  reader?: ContentReader;
  /**
   * Other repositories of a backend that the run's listings showed holding a manifest: its
   * blobs and children are mounted from there (default: none known).
   */
  listedHomes?: (backendId: string, digest: string) => readonly string[];
}

/** A copy step that failed: names what could not be done; the cause says why. */
export class CopyError extends Error {
  /** `message` names the object and both ends. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CopyError";
  }
}

/** A tag was about to be written but the destination holds it for another digest now. */
export class TagMoveError extends CopyError {
  /** `message` names the tag, the destination and both digests. */
  constructor(message: string) {
    super(message);
    this.name = "TagMoveError";
  }
}

/** Copies manifests, blobs and tags between endpoints, each at most once per destination. */
export class Copier {
  /** Counts of what was done. */
  readonly stats: CopyStats = {
    blobsStreamed: 0,
    blobsMounted: 0,
    blobsPresent: 0,
    bytesStreamed: 0,
    manifestsPut: 0,
    manifestsPresent: 0,
    tagsPut: 0,
  };
  #opts: Required<Omit<CopierOptions, "reader" | "policy">>;
  #policy: RetryPolicy;
  #reader: ContentReader;
  #reads = new Map<string, Promise<ManifestBytes>>();
  #manifests = new Map<string, Promise<void>>();
  #tags = new Map<string, Promise<void>>();
  #blobs = new Map<string, Promise<void>>();
  /** Backend id + digest -> repositories of that backend this run put the blob into. */
  #homes = new Map<string, Promise<string>[]>();

  /** Builds a copier; see CopierOptions for the defaults. */
  constructor(options: CopierOptions = {}) {
    this.#opts = {
      onBytes: options.onBytes ?? (() => {}),
      onBlob: options.onBlob ?? (() => {}),
      listedHomes: options.listedHomes ?? (() => []),
    };
    this.#policy = options.policy ?? new RetryPolicy({
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      random: Math.random,
      now: Date.now,
      stats: new TransportStats(),
      log: new Logger("error", () => {}),
    });
    this.#reader = options.reader ?? new ContentReader();
  }

  /** Resolves when every operation started so far has finished, successfully or not. */
  async settled(): Promise<void> {
    for (;;) {
      const all = [this.#reads, this.#manifests, this.#tags, this.#blobs].flatMap((m) => [
        ...m.values(),
      ]);
      await Promise.allSettled(all);
      const after = this.#reads.size + this.#manifests.size + this.#tags.size + this.#blobs.size;
      if (after === all.length) return;
    }
  }

  /** Reads a manifest's exact bytes by digest, checking they hash to the digest (memoised). */
  readManifest(from: Endpoint, digest: string): Promise<ManifestBytes> {
    return memo(this.#reads, key(from, digest), async () => {
      const m = await this.#reader.manifest(from.backend, from.repo, digest);
      if (m === null) {
        throw new RegistryError(
          `manifest ${digest} is not in ${where(from)}`,
          { status: 404, codes: ["MANIFEST_UNKNOWN"] },
        );
      }
      if (!bytesMatchDigest(m.bytes, m.mediaType, digest)) {
        throw new CopyError(
          `${where(from)} served manifest bytes for ${digest} that do ` +
            "not hash to that digest",
        );
      }
      return { mediaType: m.mediaType, digest, bytes: m.bytes };
    });
  }

  /**
   * Makes `digest` present in `to` with everything it references, copied from `from`: children
   * and blobs first, the manifest last. `knownAbsent` skips the destination HEAD (as does a
   * listing of `to` that shows the digest absent; one that shows it there makes it present).
   * With `tag` the manifest is stored under that tag (one PUT stores both the digest and the
   * tag), after the tag is read once more (see `putTag`). Blobs are mounted from `mountable`,
   * repositories of `to`'s backend known to hold a manifest that references them, and from any
   * other repository of the backend that holds the manifest (as listed).
   */
  ensureManifest(
    from: Endpoint,
    to: Endpoint,
    digest: string,
    knownAbsent = false,
    tag?: string,
    mountable: readonly string[] = [],
  ): Promise<void> {
    return memo(this.#manifests, key(to, digest), async () => {
      const absent = knownAbsent || listedAbsent(to, digest);
      if (!absent && (to.listed?.has(digest) || await to.backend.headManifest(to.repo, digest))) {
        this.stats.manifestsPresent++;
        return;
      }
      const m = await this.readManifest(from, digest);
      const refs = manifestRefs(m);
      const listed = this.#opts.listedHomes(to.backend.id, digest).filter((r) => r !== to.repo);
      const homes = [...new Set([...listed, ...mountable])];
      await Promise.all([
        ...refs.manifests.map((c) =>
          this.ensureManifest(from, to, c.digest, false, undefined, homes)
        ),
        ...refs.blobs.map((b) => this.ensureBlob(from, to, b, homes)),
      ]);
      const what = `Cannot store manifest ${digest} in ${where(to)}`;
      if (tag === undefined) {
        await this.#store(to, digest, m, what);
        this.stats.manifestsPut++;
        return;
      }
      const tagged = this.#whenAbsent(to, tag, digest, () => this.#store(to, tag, m, what));
      this.#tags.set(key(to, tag), tagged.then(() => {}));
      if ((await tagged) === "written") this.stats.manifestsPut++;
      else this.stats.manifestsPresent++;
    });
  }

  /**
   * Points `tag` in `to` at the manifest (a PUT of its exact bytes under the tag). The tag is
   * read (HEAD) right before: already this digest, nothing is written; another digest, a
   * TagMoveError and nothing is written (tags never move, whatever a listing said).
   */
  putTag(to: Endpoint, tag: string, manifest: ManifestBytes): Promise<void> {
    return memo(this.#tags, key(to, tag), async () => {
      const done = await this.#whenAbsent(
        to,
        tag,
        manifest.digest,
        () => this.#store(to, tag, manifest, `Cannot set tag "${tag}" in ${where(to)}`),
      );
      if (done === "written") this.stats.tagsPut++;
    });
  }

  /** Runs `write` if `tag` is absent in `to` now; "present" when it already names `digest`. */
  async #whenAbsent(
    to: Endpoint,
    tag: string,
    digest: string,
    write: () => Promise<void>,
  ): Promise<"written" | "present"> {
    let current;
    try {
      current = await to.backend.headManifest(to.repo, tag);
    } catch (e) {
      throw new CopyError(`Cannot read tag "${tag}" in ${where(to)} before writing it`, {
        cause: e,
      });
    }
    if (current === null) {
      await write();
      return "written";
    }
    if (current.digest === digest) return "present";
    throw new TagMoveError(
      `Refusing to set tag "${tag}" in ${where(to)} to ${digest}: it points at ` +
        `${current.digest} now; cip never moves a tag`,
    );
  }

  /** PUTs a manifest's exact bytes under `ref`; failures become CopyErrors saying `what`. */
  async #store(to: Endpoint, ref: string, m: ManifestBytes, what: string): Promise<void> {
    try {
      await to.backend.putManifest(to.repo, ref, m);
    } catch (e) {
      throw new CopyError(what, { cause: e });
    }
  }

  /**
   * Makes a blob present in `to`: present already, mounted (from `mountable`, repositories of the
   * same backend that hold it, or from where this run put it), or streamed from `from`.
   */
  ensureBlob(
    from: Endpoint,
    to: Endpoint,
    blob: Descriptor,
    mountable: readonly string[] = [],
  ): Promise<void> {
    return memo(this.#blobs, key(to, blob.digest), async () => {
      const homeKey = `${to.backend.id}\0${blob.digest}`;
      let homes = this.#homes.get(homeKey);
      if (!homes) this.#homes.set(homeKey, homes = []);
      const earlier = [...homes];
      let settle!: (repo: string) => void;
      let fail!: (e: unknown) => void;
      const mine = new Promise<string>((res, rej) => [settle, fail] = [res, rej]);
      mine.catch(() => {});
      homes.push(mine);
      try {
        await this.#place(from, to, blob, earlier, mountable);
        settle(to.repo);
      } catch (e) {
        fail(e);
        throw new CopyError(
          `Cannot copy blob ${blob.digest} from ${where(from)} to ${where(to)}`,
          { cause: e },
        );
      }
    });
  }

  async #place(
    from: Endpoint,
    to: Endpoint,
    blob: Descriptor,
    earlier: Promise<string>[],
    mountable: readonly string[],
  ) {
    const mountFrom: string[] = [];
    if (from.backend.id === to.backend.id && from.repo !== to.repo) mountFrom.push(from.repo);
    for (const repo of mountable) {
      if (repo !== to.repo && !mountFrom.includes(repo)) mountFrom.push(repo);
    }
    for (const p of earlier) {
      const repo = await p.catch(() => null);
      if (repo !== null && repo !== to.repo && !mountFrom.includes(repo)) mountFrom.push(repo);
    }
    for (const repo of mountFrom) {
      // A refused mount is not fatal: the blob is then looked for and copied instead.
      if (await to.backend.mountBlob(to.repo, blob.digest, repo).catch(() => false)) {
        this.stats.blobsMounted++;
        return;
      }
    }
    if (to.listed?.listed !== "absent" && await to.backend.hasBlob(to.repo, blob.digest)) {
      this.stats.blobsPresent++;
      return;
    }
    // A copy that failed is started again from its beginning (the source opened anew) by the
    // run's retry policy; before that, the blob is looked for: an upload whose last answer was
    // lost may have been stored all the same.
    const what = `copy of blob ${blob.digest} to ${where(to)}`;
    const found = await this.#policy.repeat(
      to.backend.display,
      what,
      async () => {
        await this.#stream(from, to, blob);
        return false;
      },
      async () => (await to.backend.hasBlob(to.repo, blob.digest).catch(() => false)) || undefined,
    );
    if (found) {
      this.#opts.onBytes(Math.max(0, blob.size));
      this.stats.bytesStreamed += Math.max(0, blob.size);
    }
    this.stats.blobsStreamed++;
  }

  async #stream(from: Endpoint, to: Endpoint, blob: Descriptor): Promise<void> {
    const source = await from.backend.getBlob(from.repo, blob.digest, blob.size);
    const size = blob.size >= 0 ? blob.size : source.size;
    this.#opts.onBlob(size);
    const desc = { mediaType: blob.mediaType, digest: blob.digest, size };
    if (size >= 0 && size <= WHOLE_PROGRESS_LIMIT) {
      // A small blob is reported once it is stored: no counting stage on its way.
      try {
        await to.backend.putBlob(to.repo, desc, source.body);
      } catch (e) {
        await source.body.cancel().catch(() => {});
        throw e;
      }
      this.#opts.onBytes(size);
      this.stats.bytesStreamed += size;
      return;
    }
    let moved = 0;
    const count = new TransformStream<Uint8Array, Uint8Array>({
      transform: (chunk, ctl) => {
        moved += chunk.byteLength;
        this.#opts.onBytes(chunk.byteLength);
        ctl.enqueue(chunk);
      },
    });
    const body = source.body.pipeThrough(count);
    try {
      await to.backend.putBlob(to.repo, desc, body);
    } catch (e) {
      this.#opts.onBytes(-moved);
      await body.cancel().catch(() => {});
      throw e;
    }
    this.stats.bytesStreamed += moved;
  }
}

/** Runs `make` once per key; later callers share the first promise. */
function memo<T>(map: Map<string, Promise<T>>, k: string, make: () => Promise<T>): Promise<T> {
  let p = map.get(k);
  if (!p) {
    p = make();
    p.catch(() => {});
    map.set(k, p);
  }
  return p;
}

/** Whether the listing of `at` shows that `digest` is not there (before this run wrote it). */
function listedAbsent(at: Endpoint, digest: string): boolean {
  const listed = at.listed;
  if (listed?.listed === "absent") return true;
  return listed?.listed === "complete" && !listed.has(digest);
}

function key(at: Endpoint, ref: string): string {
  return `${at.backend.id}\0${at.repo}\0${ref}`;
}

function where(at: Endpoint): string {
  return `${at.backend.display}/${at.repo}`;
}
