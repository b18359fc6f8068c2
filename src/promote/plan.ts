/**
 * The promotion plan (pure): for every edge, what the destination needs, decided by set logic
 * over what the source and destination repositories hold (PROTOCOL.md §2).
 */
import type { Edge } from "../manifest/mod.ts";
import {
  type ImageRecord,
  type Inventory,
  joinRepository,
  type RepoInventory,
} from "../registry/mod.ts";
import { compareText } from "../compare_text.ts";
import type { LookupFailure } from "./complete.ts";

/** What a plan decides for one edge. */
export type Decision =
  /** The destination already has the digest (and the tag, if any): nothing to do. */
  | "present"
  /**
   * The source has the digest (or could not be asked: the copy then fails on its own, not the
   * whole run), the destination does not: copy it (and set the tag).
   */
  | "copy"
  /** The destination has the digest but not the tag: add the tag. */
  | "tag"
  /** Neither source nor destination has the digest: warn, do not fail. */
  | "missing"
  /** The tag points at another digest in the destination: refused, tags never move. */
  | "tag-move"
  /** The destination repository is the source repository: refused. */
  | "source-write"
  /** The image fails its manifest's signature policy (mode require): refused (trust_gate.ts). */
  | "untrusted";

/**
 * The decisions that refuse an edge and fail the run. (Edges that want one tag with two
 * digests never reach a plan: they stop the run when the manifests are loaded.)
 */
export const REFUSALS: ReadonlySet<Decision> = new Set(["tag-move", "source-write", "untrusted"]);

/** Where a registry name points: a backend (by id) and a repository path prefix in it. */
export interface RegistryLocation {
  backendId: string;
  prefix: string;
}

/** The decision for one edge, with what it was based on. */
export interface EdgeDecision {
  edge: Edge;
  decision: Decision;
  /** For tag moves: the digest the tag points at in the destination. */
  current?: string;
  /** For refusals: why, in words. */
  reason?: string;
}

/** Work on one digest in one destination repository: copy it, or add tags to it. */
export interface ImageAction {
  kind: "copy" | "tag";
  /** Registry names as the manifest wrote them. */
  src: string;
  dst: string;
  image: string;
  srcRepo: string;
  dstRepo: string;
  digest: string;
  /** Tags to set on the digest in the destination, sorted. */
  tags: string[];
  mediaType?: string;
  /** For manifest lists / indexes: the digests of the children, copied before the index. */
  children: string[];
  /** The edges this action serves. */
  edges: EdgeDecision[];
}

/** What the planner needs: the edges and what each repository holds. */
export interface PlanInput {
  edges: readonly Edge[];
  /** Registry name (source and destinations) -> where it points. */
  locations: ReadonlyMap<string, RegistryLocation>;
  /** Backend id -> the repositories read from it (only those the edges name). */
  inventories: ReadonlyMap<string, Inventory>;
  /** The lookups that failed while the inventories were taken. */
  lookups?: readonly LookupFailure[];
}

/** The whole plan: a decision per edge and the actions that carry them out. */
export interface Plan {
  /** One per edge, in the order of the edges. */
  decisions: EdgeDecision[];
  /** Copies and tag additions, sorted by destination, image, digest. */
  actions: ImageAction[];
}

/** Decides every edge by PROTOCOL.md §2 and groups the work into image actions. */
export function plan(input: PlanInput): Plan {
  const unaskedSources = new Map<string, Set<string>>();
  for (const f of input.lookups ?? []) {
    if (f.at !== "source") continue;
    const loc = locationOf(input.locations, f.registry);
    const key = `${loc.backendId}\0${joinRepository(loc.prefix, f.image)}`;
    unaskedSources.set(key, (unaskedSources.get(key) ?? new Set()).add(f.digest));
  }
  const repoOf = (registry: string, image: string) => {
    const loc = locationOf(input.locations, registry);
    const repo = joinRepository(loc.prefix, image);
    const held = input.inventories.get(loc.backendId)?.get(repo) ?? EMPTY;
    return { loc, repo, held, unasked: unaskedSources.get(`${loc.backendId}\0${repo}`) };
  };

  const decisions: EdgeDecision[] = [];
  const actions = new Map<string, ImageAction>();
  const tagIndexes: TagIndexes = new Map();
  for (const edge of input.edges) {
    const src = repoOf(edge.src.name, edge.image);
    const dst = repoOf(edge.dst.name, edge.image);
    const d = decide(edge, src, dst, tagIndexes);
    decisions.push(d);
    if (d.decision !== "copy" && d.decision !== "tag") continue;
    const key = `${edge.dst.name}\0${edge.image}\0${edge.digest}`;
    let action = actions.get(key);
    if (!action) {
      const record = src.held.get(edge.digest) ?? dst.held.get(edge.digest);
      action = {
        kind: d.decision,
        src: edge.src.name,
        dst: edge.dst.name,
        image: edge.image,
        srcRepo: src.repo,
        dstRepo: dst.repo,
        digest: edge.digest,
        tags: [],
        children: [...(record?.children ?? [])],
        edges: [],
      };
      if (record?.mediaType !== undefined) action.mediaType = record.mediaType;
      actions.set(key, action);
    }
    if (d.decision === "copy") action.kind = "copy";
    if (edge.tag !== null && !action.tags.includes(edge.tag)) action.tags.push(edge.tag);
    action.edges.push(d);
  }
  const sorted = [...actions.values()].sort((a, b) =>
    compareText(a.dst, b.dst) || compareText(a.image, b.image) || compareText(a.digest, b.digest)
  );
  for (const a of sorted) a.tags.sort();
  return { decisions, actions: sorted };
}

/** A repository as the planner sees it. */
interface Side {
  loc: RegistryLocation;
  repo: string;
  held: RepoInventory;
  /** Digests whose lookup failed here (sources only). */
  unasked: ReadonlySet<string> | undefined;
}

/** The decision table for one edge. */
function decide(
  edge: Edge,
  src: Side,
  dst: Side,
  tagIndexes: TagIndexes,
): EdgeDecision {
  if (
    edge.dst.name === edge.src.name ||
    (src.loc.backendId === dst.loc.backendId && src.repo === dst.repo)
  ) {
    return {
      edge,
      decision: "source-write",
      reason: `destination ${edge.dst.name}/${edge.image} is the source repository; ` +
        "cip never writes into the source",
    };
  }
  if (edge.tag !== null) {
    const holder = tagHolder(dst.held, edge.tag, tagIndexes);
    if (holder !== undefined && holder.digest !== edge.digest) {
      return {
        edge,
        decision: "tag-move",
        current: holder.digest,
        reason: `tag "${edge.tag}" already points at ${holder.digest} in the destination; ` +
          "cip never moves a tag",
      };
    }
    if (holder !== undefined) return { edge, decision: "present" };
    if (dst.held.has(edge.digest)) return { edge, decision: "tag" };
  } else if (dst.held.has(edge.digest)) {
    return { edge, decision: "present" };
  }
  // A source that failed to answer for the digest may still have it: copying it fails that one
  // image if not, where "missing" would pass over it.
  if (src.held.has(edge.digest) || src.unasked?.has(edge.digest)) return { edge, decision: "copy" };
  return { edge, decision: "missing" };
}

/** Tag -> record, per repository inventory, built once per plan. */
type TagIndexes = Map<RepoInventory, Map<string, ImageRecord>>;

/** The record whose tags include `tag`, if any. */
function tagHolder(
  held: RepoInventory,
  tag: string,
  tagIndexes: TagIndexes,
): ImageRecord | undefined {
  let index = tagIndexes.get(held);
  if (!index) {
    index = new Map();
    for (const record of held.values()) for (const t of record.tags) index.set(t, record);
    tagIndexes.set(held, index);
  }
  return index.get(tag);
}

/** Looks a registry name up; a name without a location is a programming error. */
function locationOf(
  locations: ReadonlyMap<string, RegistryLocation>,
  registry: string,
): RegistryLocation {
  const loc = locations.get(registry);
  if (!loc) throw new Error(`plan: no location for registry ${registry}`);
  return loc;
}

const EMPTY: RepoInventory = new Map();
