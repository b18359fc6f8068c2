/**
 * Finding what is attached to a set of digests in their repository, recursively, through an
 * injected reader. Facts relied on:
 *
 * - cosign: attachments of `sha256:<hex>` are at the tags `sha256-<hex>.sig|.att|.sbom` of the
 *   same repository (read from one tag listing, so absent ones cost no request).
 * - OCI distribution spec v1.1: `GET /v2/<name>/referrers/<digest>` lists the manifests whose
 *   `subject` is the digest; a registry with the API never answers it with 404, so one 404
 *   tells the API is absent for the whole registry. Then the referrers-schema tag
 *   `sha256-<hex>` is read instead; when it does not hold a valid image index the client
 *   assumes there are no referrers.
 * - OCI image spec v1.1: `subject` is a weak reference, so a listed referrer is checked to name
 *   the digest as its subject before it is taken.
 *
 * Graph: subjects (and the children of subject indexes) at depth 0; each attachment one deeper
 * than what it is attached to; an attached index's children are searched too. Each manifest is
 * searched once, so a cycle (possible with cosign tags, which may point anywhere) ends, and the
 * graph is bounded in size and depth (AttachLimitError beyond).
 */
import {
  type Descriptor,
  isDigest,
  isIndexMediaType,
  type ManifestBytes,
  OCI_INDEX,
  sha256Digest,
} from "../registry/mod.ts";
import {
  type ArtifactManifest,
  effectiveArtifactType,
  parseArtifact,
  type ParseLimits,
} from "./artifact_manifest.ts";
import { referrerKind } from "./artifact_types.ts";
import { type ArtifactDescriptor, checkDescriptor } from "./descriptor.ts";
import { AttachError, AttachLimitError, ManifestShapeError } from "./errors.ts";
import type {
  Attachment,
  AttachmentGraph,
  AttachmentReader,
  AttachmentScheme,
  DiscoveryNote,
  ReadCounts,
} from "./model.ts";
import { type AttachmentTag, attachmentTagsByDigest, referrersTag } from "./tags.ts";

/** The default bounds of discovery: attached manifests in all, and nesting depth. */
export const DISCOVERY_LIMITS = { manifests: 1000, depth: 4 } as const;

/** Bounds of discovery. */
export interface DiscoverOptions {
  /** Most attached manifests (and their children) in all; default 1000. */
  maxManifests?: number;
  /** Deepest attachment of an attachment; default 4 (a signature on an SBOM is 2). */
  maxDepth?: number;
  /** Bounds of each manifest read. */
  limits?: ParseLimits;
}

interface Node {
  digest: string;
  mediaType: string;
  depth: number;
  root: string;
  role: "subject" | "child" | "attachment";
  /** Known children (parsed already), else read when the media type is an index's. */
  children?: Descriptor[];
}

class Discovery {
  readonly reads: ReadCounts = { tagLists: 0, manifests: 0, referrers: 0 };
  readonly notes: DiscoveryNote[] = [];
  readonly manifests = new Map<string, ManifestBytes>();
  readonly referrersIndexes = new Map<string, ManifestBytes>();
  readonly attachments: Attachment[] = [];
  readonly subjects: string[] = [];
  api: AttachmentGraph["referrersApi"] = "unknown";
  readonly #visited = new Set<string>();
  readonly #edges = new Set<string>();
  readonly #queue: Node[] = [];
  #tags = new Map<string, AttachmentTag[]>();
  #attached = 0;
  readonly #maxManifests: number;
  readonly #maxDepth: number;

  constructor(
    readonly reader: AttachmentReader,
    readonly repo: string,
    readonly options: DiscoverOptions,
  ) {
    this.#maxManifests = options.maxManifests ?? DISCOVERY_LIMITS.manifests;
    this.#maxDepth = options.maxDepth ?? DISCOVERY_LIMITS.depth;
  }

  async run(subjects: readonly Descriptor[]): Promise<void> {
    this.reads.tagLists++;
    this.#tags = attachmentTagsByDigest(await this.reader.listTags(this.repo));
    for (const s of subjects) {
      if (!isDigest(s.digest)) throw new TypeError(`Not a sha256 digest: ${s.digest}`);
      this.#enqueue({ ...s, depth: 0, root: s.digest, role: "subject" });
    }
    for (let node = this.#queue.shift(); node !== undefined; node = this.#queue.shift()) {
      await this.#expand(node);
      await this.#search(node);
    }
  }

  #enqueue(node: Node): void {
    if (this.#visited.has(node.digest)) return;
    this.#visited.add(node.digest);
    if (node.role === "subject") this.subjects.push(node.digest);
    else if (++this.#attached > this.#maxManifests) {
      throw new AttachLimitError("manifests", this.#maxManifests, `${this.repo}@${node.root}`);
    }
    this.#queue.push(node);
  }

  #note(digest: string, detail: string): void {
    this.notes.push({ digest, detail });
  }

  /** Enqueues the children of an index node, reading it when they are not known yet. */
  async #expand(node: Node): Promise<void> {
    let children = node.children;
    if (children === undefined && isIndexMediaType(node.mediaType)) {
      const m = await this.#read(node.digest);
      const parsed = m === null ? null : this.#parse(node.digest, m);
      if (m === null) this.#note(node.digest, "the index is not in the repository");
      children = parsed?.entries.map((e) => e.descriptor) ?? [];
    }
    const role = node.role === "subject" ? "subject" : "child";
    for (const c of children ?? []) {
      this.#enqueue({ ...c, depth: node.depth, root: node.root, role });
    }
  }

  /** Reads a manifest by tag or digest, once; throws when its bytes are not what was asked. */
  async #read(ref: string): Promise<ManifestBytes | null> {
    const cached = isDigest(ref) ? this.manifests.get(ref) : undefined;
    if (cached !== undefined) return cached;
    this.reads.manifests++;
    const m = await this.reader.getManifest(this.repo, ref);
    if (m === null) return null;
    const digest = sha256Digest(m.bytes);
    if ((isDigest(ref) && digest !== ref) || m.digest !== digest) {
      throw new AttachError(
        `Cannot read ${this.repo}:${ref}: the registry served bytes of digest ${digest} as ${m.digest}`,
      );
    }
    const exact = { mediaType: m.mediaType, digest, bytes: m.bytes };
    this.manifests.set(digest, exact);
    return exact;
  }

  #parse(digest: string, m: ManifestBytes): ArtifactManifest | null {
    try {
      return parseArtifact(m, this.options.limits);
    } catch (e) {
      if (!(e instanceof ManifestShapeError)) throw e;
      this.#note(digest, e.message);
      return null;
    }
  }

  async #search(node: Node): Promise<void> {
    for (const t of this.#tags.get(node.digest) ?? []) {
      if (t.scheme !== "cosign-tag") continue;
      const m = await this.#read(t.tag);
      if (m === null) {
        this.#note(node.digest, `the tag ${t.tag} was listed but is not there`);
        continue;
      }
      const parsed = this.#parse(node.digest, m);
      if (parsed !== null) this.#attach(node, "cosign-tag", t.kind, m, parsed, t.tag);
    }
    const { via, entries } = await this.#referrers(node.digest);
    const seen = new Set<string>();
    for (const value of entries) {
      const entry = checkDescriptor(value);
      if (typeof entry === "string") {
        this.#note(node.digest, `a referrer is passed over: ${entry}`);
        continue;
      }
      if (seen.has(entry.digest)) continue;
      seen.add(entry.digest);
      await this.#referrer(node, via, entry);
    }
  }

  async #referrer(node: Node, via: AttachmentScheme, entry: ArtifactDescriptor): Promise<void> {
    const m = await this.#read(entry.digest);
    if (m === null) {
      this.#note(node.digest, `the referrer ${entry.digest} is listed but not in the repository`);
      return;
    }
    const parsed = this.#parse(node.digest, m);
    if (parsed === null) return;
    if (parsed.subject?.digest !== node.digest) {
      this.#note(node.digest, `the referrer ${entry.digest} does not name it as its subject`);
      return;
    }
    const annotations = { ...entry.annotations, ...parsed.annotations };
    const kind = referrerKind(effectiveArtifactType(parsed), annotations);
    this.#attach(node, via, kind, m, parsed);
  }

  async #referrers(
    digest: string,
  ): Promise<{ via: AttachmentScheme; entries: readonly unknown[] }> {
    if (this.api !== "absent") {
      this.reads.referrers++;
      const listed = await this.reader.getReferrers(this.repo, digest);
      if (listed !== null) {
        this.api = "present";
        return { via: "referrers-api", entries: listed };
      }
      this.api = "absent";
    }
    const none = { via: "referrers-tag" as const, entries: [] };
    const tag = referrersTag(digest);
    if (!(this.#tags.get(digest) ?? []).some((t) => t.tag === tag)) return none;
    const m = await this.#read(tag);
    if (m === null || m.mediaType !== OCI_INDEX) {
      const why = m === null ? "was listed but is not there" : `holds ${m.mediaType}`;
      this.#note(digest, `the referrers tag ${tag} ${why}: no referrers taken from it`);
      return none;
    }
    const parsed = this.#parse(digest, m);
    if (parsed === null) return none;
    this.referrersIndexes.set(digest, m);
    return { via: "referrers-tag", entries: parsed.entries.map((e) => e.descriptor) };
  }

  #attach(
    node: Node,
    via: AttachmentScheme,
    kind: Attachment["kind"],
    m: ManifestBytes,
    parsed: ArtifactManifest,
    tag?: string,
  ): void {
    const edge = `${node.digest} ${via} ${tag ?? ""} ${m.digest}`;
    if (this.#edges.has(edge)) return;
    this.#edges.add(edge);
    const depth = node.depth + 1;
    if (depth > this.#maxDepth) {
      throw new AttachLimitError("depth", this.#maxDepth, `${this.repo}@${node.root}`);
    }
    const manifest: ArtifactDescriptor = {
      mediaType: m.mediaType,
      digest: m.digest,
      size: m.bytes.length,
    };
    const artifactType = effectiveArtifactType(parsed);
    if (artifactType !== undefined) manifest.artifactType = artifactType;
    if (Object.keys(parsed.annotations).length > 0) manifest.annotations = parsed.annotations;
    const children = parsed.isIndex ? parsed.entries.map((e) => e.descriptor) : [];
    const a: Attachment = {
      subject: node.digest,
      root: node.root,
      kind,
      via,
      manifest,
      children,
      depth,
    };
    if (tag !== undefined) a.tag = tag;
    this.attachments.push(a);
    this.#enqueue({ ...manifest, depth, root: node.root, role: "attachment", children });
  }
}

/**
 * Finds everything attached to `subjects` (and to the children of those that are indexes) in
 * `repo`: cosign tags, referrers from the API or, where it is absent, the referrers-schema
 * tag, and recursively what is attached to those. Reads only; counts its reads. Throws
 * AttachLimitError past the bounds, AttachError when the registry serves bytes that do not
 * match their digest; anything else it passes over is listed in `notes`.
 */
export async function discoverAttachments(
  reader: AttachmentReader,
  repo: string,
  subjects: readonly Descriptor[],
  options: DiscoverOptions = {},
): Promise<AttachmentGraph> {
  const d = new Discovery(reader, repo, options);
  await d.run(subjects);
  return {
    repo,
    subjects: d.subjects,
    attachments: d.attachments,
    manifests: d.manifests,
    referrersIndexes: d.referrersIndexes,
    referrersApi: d.api,
    notes: d.notes,
    reads: d.reads,
  };
}
