/**
 * What is attached to the digests of a repository, as discovery finds it: each attachment
 * with its kind, how it is attached, its descriptor and depth, in an order a copier can follow;
 * and the minimal reading interface discovery runs on.
 */
import type { Descriptor, ManifestBytes } from "../registry/mod.ts";
import { ATTACHMENT_KINDS, type AttachmentKind } from "./artifact_types.ts";
import type { ArtifactDescriptor } from "./descriptor.ts";

/** How an attachment is attached to its subject. */
export type AttachmentScheme =
  /** A cosign tag `sha256-<hex>.sig|.att|.sbom` in the subject's repository. */
  | "cosign-tag"
  /** A manifest with `subject`, listed by the registry's referrers API. */
  | "referrers-api"
  /** A manifest with `subject`, listed by the index at the referrers-schema tag `sha256-<hex>`. */
  | "referrers-tag";

/** One manifest attached to another. */
export interface Attachment {
  /** The digest it is attached to: a subject, an index child, or another attachment. */
  subject: string;
  /** The digest discovery started from that this attachment descends from. */
  root: string;
  kind: AttachmentKind;
  via: AttachmentScheme;
  /** The attached manifest: media type, digest, size; artifactType and annotations if any. */
  manifest: ArtifactDescriptor;
  /** The tag that holds it (`via: "cosign-tag"`). */
  tag?: string;
  /** Its child manifests when it is an index (copied before it). */
  children: Descriptor[];
  /** 1 when attached to a subject, 2 when attached to an attachment, and so on. */
  depth: number;
}

/** Something discovery passed over, and why (a listed tag gone, a malformed referrers index). */
export interface DiscoveryNote {
  /** The digest whose attachments were being read. */
  digest: string;
  detail: string;
}

/** The reads discovery made, by kind: each is one call to the reader. */
export interface ReadCounts {
  tagLists: number;
  manifests: number;
  referrers: number;
}

/** What discovery found in one repository. */
export interface AttachmentGraph {
  repo: string;
  /** The digests searched as subjects: the given ones, then the children of given indexes. */
  subjects: string[];
  /**
   * Every attachment, in copy order: an attachment comes after the attachment it is attached
   * to, and each (subject, scheme, tag, digest) once.
   */
  attachments: Attachment[];
  /** The exact bytes of every manifest read, by digest, so a copier need not read them again. */
  manifests: Map<string, ManifestBytes>;
  /**
   * The source's referrers-schema indexes (the API being absent), by the digest they list
   * referrers of: what a destination without the API merges into its own.
   */
  referrersIndexes: Map<string, ManifestBytes>;
  /** Whether the source registry has the referrers API ("unknown" when never asked). */
  referrersApi: "present" | "absent" | "unknown";
  notes: DiscoveryNote[];
  reads: ReadCounts;
}

/**
 * What discovery reads from the source: tags of a repository, manifests by tag or digest, and
 * the referrers of a digest. HTTP registries and OCI layout directories both provide it.
 */
export interface AttachmentReader {
  /** All tags of the repository (every page); none when it does not exist. */
  listTags(repo: string): Promise<string[]>;
  /** A manifest's exact bytes and media type by tag or digest, or null when absent. */
  getManifest(repo: string, ref: string): Promise<ManifestBytes | null>;
  /**
   * The descriptors the referrers API lists for `digest` (every page, unfiltered), or null when
   * the registry has no referrers API (it answered 404).
   */
  getReferrers(repo: string, digest: string): Promise<readonly unknown[] | null>;
}

/** How many attachments of each kind. */
export type KindCounts = Record<AttachmentKind, number>;

/** Zero of every kind. */
export function noKinds(): KindCounts {
  return Object.fromEntries(ATTACHMENT_KINDS.map((k) => [k, 0])) as KindCounts;
}

/** The number of attachments of each kind per root digest (every root listed, even with none). */
export function countByRoot(
  graph: AttachmentGraph,
  roots: readonly string[],
): Map<string, KindCounts> {
  const out = new Map(roots.map((r) => [r, noKinds()]));
  for (const a of graph.attachments) {
    const counts = out.get(a.root);
    if (counts !== undefined) counts[a.kind]++;
  }
  return out;
}
