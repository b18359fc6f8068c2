/**
 * Step 3b of a promotion: what is attached to the images a run promotes (signatures,
 * attestations, SBOMs) and what each destination needs of it. For every source repository,
 * discovery (src/attach) searches the digests the run promotes there, children of indexes
 * included; each attachment found is planned at every destination of the digest it travels
 * with, and decided from the destination's inventory:
 *
 * - a cosign tag the destination lacks: copy; holding the same digest: present; holding another
 *   digest: merge when the tag accumulates (`.sig`, `.att`) and the union adds to it (both are
 *   read to tell), present when it adds nothing, else refused (tags never move);
 * - a referrer (OCI 1.1 `subject`): present when the destination holds its digest, else copy.
 *
 * Cost: the source repository's tag listing is read once (cosign tags and referrers-schema tags
 * are found in it, absent ones cost nothing); the referrers API is asked once per digest that
 * is copied to some destination, never for digests every destination holds already: for those
 * the listings are compared, and only a digest whose attachment tags (cosign's, the referrers
 * tag schema's) some destination lacks is searched, through the tags only. A referrer is looked
 * up (HEAD) at a destination that already holds its image.
 */
import {
  type Attachment,
  type AttachmentGraph,
  type AttachmentReader,
  attachmentTagsByDigest,
  discoverAttachments,
  isAccumulatorTag,
  mergeAccumulator,
  MergeRefusedError,
} from "../attach/mod.ts";
import { describeError } from "../describe_error.ts";
import {
  type Backend,
  type ContentReader,
  type Descriptor,
  type ImageRecord,
  type Inventory,
  joinRepository,
  type TagListing,
} from "../registry/mod.ts";
import type { PromotionRegistries } from "./open.ts";
import type { Plan } from "./plan.ts";

/** What a destination needs of one attachment. */
export type AttachmentDecision =
  /** The destination lacks it: copy it (its manifest, blobs, tag; a referrers index entry). */
  | "copy"
  /** The destination's accumulator tag holds another version: write the union of both. */
  | "merge"
  /** The destination holds it. */
  | "present"
  /** The destination's tag holds another digest and does not accumulate: refused. */
  | "conflict";

/** One attachment at one destination. */
export interface AttachmentAction {
  /** Registry names as the manifests write them. */
  src: string;
  dst: string;
  image: string;
  srcRepo: string;
  dstRepo: string;
  /** The promoted digest the attachment travels with. */
  root: string;
  attachment: Attachment;
  decision: AttachmentDecision;
  /** For conflicts: why, in words. */
  reason?: string;
}

/** A source repository whose attachments could not be found. */
export interface DiscoveryFailure {
  src: string;
  image: string;
  /** The promoted digests whose attachments are unknown. */
  digests: string[];
  error: string;
  cause: unknown;
}

/** What the run attaches: actions in copy order (what an attachment refers to goes first). */
export interface AttachmentPlan {
  actions: AttachmentAction[];
  failures: DiscoveryFailure[];
  /** What discovery passed over (a listed tag gone, a malformed referrer), as sentences. */
  notes: string[];
}

/** The images one source repository gives the run, and where each goes. */
interface SourceGroup {
  src: string;
  image: string;
  srcRepo: string;
  backend: Backend;
  /** Promoted digest -> destination registry -> whether it is copied there in this run. */
  roots: Map<string, Map<string, boolean>>;
}

/** An AttachmentReader over a backend, through the run's reader; `api` false hides referrers. */
function readerOf(backend: Backend, reader: ContentReader, api: boolean): AttachmentReader {
  return {
    listTags: async (repo) => (await reader.listing(backend, repo)).tags,
    getManifest: (repo, ref) => reader.manifest(backend, repo, ref),
    getReferrers: (repo, digest) =>
      api ? reader.referrers(backend, repo, digest) : Promise.resolve(null),
  };
}

/** The source repositories of the run, with the digests promoted from each and where to. */
function sourceGroups(p: Plan, registries: PromotionRegistries): SourceGroup[] {
  const groups = new Map<string, SourceGroup>();
  const copied = new Set(
    p.actions.filter((a) => a.kind === "copy").map((a) => `${a.dst}\0${a.image}\0${a.digest}`),
  );
  for (const d of p.decisions) {
    if (d.decision !== "copy" && d.decision !== "tag" && d.decision !== "present") continue;
    const { image, digest } = d.edge;
    const [src, dst] = [d.edge.src.name, d.edge.dst.name];
    const k = `${src}\0${image}`;
    let g = groups.get(k);
    if (!g) {
      const loc = registries.locations.get(src)!;
      const backend = registries.backends.get(src)!;
      g = { src, image, srcRepo: joinRepository(loc.prefix, image), backend, roots: new Map() };
      groups.set(k, g);
    }
    let dsts = g.roots.get(digest);
    if (!dsts) g.roots.set(digest, dsts = new Map());
    dsts.set(dst, (dsts.get(dst) ?? false) || copied.has(`${dst}\0${image}\0${digest}`));
  }
  return [...groups.values()];
}

/** The held record of a digest in a repository, if any. */
function recordOf(
  inventories: ReadonlyMap<string, Inventory>,
  backendId: string,
  repo: string,
  digest: string,
): ImageRecord | undefined {
  return inventories.get(backendId)?.get(repo)?.get(digest);
}

/** The subject descriptor of a promoted digest: its media type tells discovery it is an index. */
async function subjectOf(
  g: SourceGroup,
  digest: string,
  known: ImageRecord | undefined,
  reader: ContentReader,
): Promise<Descriptor> {
  if (known?.mediaType !== undefined) {
    return { mediaType: known.mediaType, digest, size: known.size ?? -1 };
  }
  const m = await reader.manifest(g.backend, g.srcRepo, digest);
  return { mediaType: m?.mediaType ?? "", digest, size: m?.bytes.length ?? -1 };
}

/** Discovers the attachments of one source repository: copied digests fully, others cheaply. */
async function discoverGroup(
  g: SourceGroup,
  registries: PromotionRegistries,
  inventories: ReadonlyMap<string, Inventory>,
  reader: ContentReader,
): Promise<AttachmentGraph[]> {
  const record = (digest: string): ImageRecord | undefined => {
    const srcId = registries.locations.get(g.src)!.backendId;
    const own = recordOf(inventories, srcId, g.srcRepo, digest);
    if (own !== undefined) return own;
    for (const dst of g.roots.get(digest)?.keys() ?? []) {
      const loc = registries.locations.get(dst)!;
      const r = recordOf(inventories, loc.backendId, joinRepository(loc.prefix, g.image), digest);
      if (r !== undefined) return r;
    }
    return undefined;
  };
  const copied: string[] = [];
  const held: string[] = [];
  for (const [digest, dsts] of g.roots) {
    ([...dsts.values()].some((c) => c) ? copied : held).push(digest);
  }
  const graphs: AttachmentGraph[] = [];
  if (copied.length > 0) {
    const subjects = await Promise.all(copied.map((d) => subjectOf(g, d, record(d), reader)));
    graphs.push(
      await discoverAttachments(readerOf(g.backend, reader, true), g.srcRepo, subjects),
    );
  }
  if (held.length > 0) {
    const listing = await reader.listing(g.backend, g.srcRepo);
    const holders = new TagHolders(inventories);
    const lacking = lackingTags(g, held, listing, record, registries, holders);
    if (lacking.length > 0) {
      const subjects = await Promise.all(lacking.map((d) => subjectOf(g, d, record(d), reader)));
      graphs.push(
        await discoverAttachments(readerOf(g.backend, reader, false), g.srcRepo, subjects),
      );
    }
  }
  return graphs;
}

/**
 * The digests every destination holds already whose attachment tags (cosign's, the referrers
 * tag schema's; of the digest and of its known children) some destination lacks, or holds for
 * another digest than the source, as far as the listings tell: only those are searched, so a
 * run over promoted images reads nothing more for their attachments. A plain listing gives the
 * source's tags without digests: a tag both sides have is then taken as carried, even if the
 * source's has grown since (a listing with the GCR/AR extension tells).
 */
function lackingTags(
  g: SourceGroup,
  held: readonly string[],
  listing: TagListing,
  record: (digest: string) => ImageRecord | undefined,
  registries: PromotionRegistries,
  holders: TagHolders,
): string[] {
  const tagsOf = attachmentTagsByDigest(listing.tags);
  if (tagsOf.size === 0) return [];
  const sourceDigest = new Map<string, string>();
  for (const [digest, m] of listing.manifests ?? []) {
    for (const t of m.tags) sourceDigest.set(t, digest);
  }
  return held.filter((digest) => {
    const digests = [digest, ...record(digest)?.children ?? []];
    const wanted = digests.flatMap((d) => (tagsOf.get(d) ?? []).map((t) => t.tag));
    return [...g.roots.get(digest)?.keys() ?? []].some((dst) => {
      const loc = registries.locations.get(dst)!;
      const repo = joinRepository(loc.prefix, g.image);
      return wanted.some((t) => {
        const there = holders.of(loc.backendId, repo, t);
        const here = sourceDigest.get(t);
        return there === undefined || (here !== undefined && here !== there);
      });
    });
  });
}

/** The digests tags point at in destination repositories, from their inventories, built once. */
class TagHolders {
  readonly #byRepo = new Map<string, Map<string, string>>();

  /** Over the inventories of a run. */
  constructor(readonly inventories: ReadonlyMap<string, Inventory>) {}

  /** The digest `tag` points at in `repo` of the backend, if any. */
  of(backendId: string, repo: string, tag: string): string | undefined {
    const k = `${backendId}\0${repo}`;
    let tags = this.#byRepo.get(k);
    if (!tags) {
      tags = new Map();
      for (const r of this.inventories.get(backendId)?.get(repo)?.values() ?? []) {
        for (const t of r.tags) tags.set(t, r.digest);
      }
      this.#byRepo.set(k, tags);
    }
    return tags.get(tag);
  }
}

/** What deciding an attachment at a destination reads. */
interface Deciding {
  registries: PromotionRegistries;
  inventories: ReadonlyMap<string, Inventory>;
  reader: ContentReader;
  holders: TagHolders;
}

/**
 * Decides what the destination needs of one attachment (see the module comment); a copy
 * unless the destination is found to hold it. `copiedThere`: its image is copied there now.
 */
async function decide(action: AttachmentAction, copiedThere: boolean, d: Deciding) {
  const a = action.attachment;
  const loc = d.registries.locations.get(action.dst)!;
  if (a.tag !== undefined) {
    const holder = d.holders.of(loc.backendId, action.dstRepo, a.tag);
    if (holder === undefined) return;
    if (holder === a.manifest.digest) {
      action.decision = "present";
    } else if (isAccumulatorTag(a.tag)) {
      action.decision = "merge";
      const source = d.registries.backends.get(action.src)!;
      await mergeNeeded(action, d.registries, d.reader, source);
    } else {
      action.decision = "conflict";
      action.reason = `tag "${a.tag}" already points at ${holder} in the destination; ` +
        "only .sig and .att tags accumulate, other tags never move";
    }
  } else if (recordOf(d.inventories, loc.backendId, action.dstRepo, a.manifest.digest)) {
    action.decision = "present";
  } else if (!copiedThere) {
    const backend = d.registries.backends.get(action.dst)!;
    // A failed lookup leaves it planned as a copy, which looks again before writing.
    const found = await backend.headManifest(action.dstRepo, a.manifest.digest).catch(() => null);
    if (found !== null) action.decision = "present";
  }
}

/**
 * Reads both versions of an accumulator tag and decides whether the union adds anything
 * (else the destination is up to date: present) or cannot be made (refused). A failed read
 * leaves the merge planned: copying reads both again.
 */
async function mergeNeeded(
  action: AttachmentAction,
  registries: PromotionRegistries,
  reader: ContentReader,
  source: Backend,
): Promise<void> {
  const tag = action.attachment.tag!;
  try {
    const src = await reader.manifest(source, action.srcRepo, action.attachment.manifest.digest);
    const dst = await registries.backends.get(action.dst)!.getManifest(action.dstRepo, tag);
    if (src === null || dst === null) return;
    if (!mergeAccumulator(tag, src, dst).write) action.decision = "present";
  } catch (e) {
    if (!(e instanceof MergeRefusedError)) return;
    action.decision = "conflict";
    action.reason = e.message;
  }
}

/**
 * Finds what is attached to the digests the plan promotes and decides, per destination, what
 * each attachment needs (see the module comment). Reads only; a source repository whose
 * attachments cannot be found is a failure of its images, not of the run's other images.
 */
export async function planAttachments(
  p: Plan,
  registries: PromotionRegistries,
  inventories: ReadonlyMap<string, Inventory>,
  reader: ContentReader,
): Promise<AttachmentPlan> {
  const out: AttachmentPlan = { actions: [], failures: [], notes: [] };
  const found = await Promise.all(
    sourceGroups(p, registries).map(async (g) => {
      try {
        return { g, graphs: await discoverGroup(g, registries, inventories, reader) };
      } catch (e) {
        out.failures.push({
          src: g.src,
          image: g.image,
          digests: [...g.roots.keys()],
          error: describeError(e),
          cause: e,
        });
        return { g, graphs: [] };
      }
    }),
  );
  const seen = new Set<string>();
  const heads: Promise<void>[] = [];
  const holders = new TagHolders(inventories);
  for (const { g, graphs } of found) {
    for (const graph of graphs) {
      for (const n of graph.notes) {
        out.notes.push(`${g.src}/${g.image}@${n.digest}: ${n.detail}`);
      }
      for (const a of graph.attachments) {
        for (const [dst, copiedThere] of g.roots.get(a.root) ?? []) {
          const k = `${dst}\0${g.image}\0${
            a.via === "cosign-tag" ? a.tag : ""
          }\0${a.manifest.digest}`;
          if (seen.has(k)) continue;
          seen.add(k);
          const loc = registries.locations.get(dst)!;
          const dstRepo = joinRepository(loc.prefix, g.image);
          const action: AttachmentAction = {
            src: g.src,
            dst,
            image: g.image,
            srcRepo: g.srcRepo,
            dstRepo,
            root: a.root,
            attachment: a,
            decision: "copy",
          };
          out.actions.push(action);
          heads.push(decide(action, copiedThere, { registries, inventories, reader, holders }));
        }
      }
    }
  }
  await Promise.all(heads);
  out.actions.sort((x, y) => x.attachment.depth - y.attachment.depth);
  return out;
}
