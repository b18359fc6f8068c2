/**
 * The union two versions of an accumulator tag merge into: the destination's bytes kept
 * exactly, the source's missing entries appended after its last entry, in source order.
 */
import { type ManifestBytes, sha256Digest } from "../registry/mod.ts";
import {
  type ArtifactManifest,
  MAX_ARTIFACT_BYTES,
  MAX_ENTRIES,
  parseArtifact,
  type ParseLimits,
  type RawEntry,
} from "./artifact_manifest.ts";
import type { ArtifactDescriptor } from "./descriptor.ts";
import { AttachError, ManifestShapeError, MergeRefusedError } from "./errors.ts";
import { appendToArray } from "./json_spans.ts";

/** What a merge of a source tag into a destination tag gives. */
export interface MergeResult {
  /** What the destination tag must hold: its own bytes when nothing is new. */
  manifest: ManifestBytes;
  /** Whether the tag must be written (false: the destination already holds every entry). */
  write: boolean;
  /**
   * The source's entries the destination lacked, in source order: their blobs (cosign layers)
   * or manifests (referrers) must be in the destination before the tag is written.
   */
  added: ArtifactDescriptor[];
  /** How many entries the destination had, all kept. */
  kept: number;
}

/** Parses one side of a merge; a manifest that cannot be read refuses the merge. */
export function readSide(
  tag: string,
  side: "source" | "destination",
  m: ManifestBytes,
  limits: ParseLimits,
): ArtifactManifest {
  try {
    return parseArtifact(m, limits);
  } catch (e) {
    if (!(e instanceof ManifestShapeError)) throw e;
    throw new MergeRefusedError(tag, "unreadable", `the ${side}: ${e.detail}`, { cause: e });
  }
}

/** The result of a merge into a tag the destination does not have yet: the source as it is. */
export function takeSource(source: ManifestBytes, parsed: ArtifactManifest): MergeResult {
  return {
    manifest: source,
    write: true,
    added: parsed.entries.map((e) => e.descriptor),
    kept: 0,
  };
}

/**
 * Appends to `destination` the entries of `source` whose identity (`identify`) it lacks, each
 * once, in source order, keeping every destination byte. Refuses (`too-large`) a result that
 * would exceed the parse limits, since registries need not accept it.
 */
export function unionInto(
  tag: string,
  destination: ManifestBytes,
  dst: ArtifactManifest,
  src: ArtifactManifest,
  identify: (e: RawEntry) => string,
  limits: ParseLimits,
): MergeResult {
  const have = new Set(dst.entries.map(identify));
  const added: RawEntry[] = [];
  for (const e of src.entries) {
    const id = identify(e);
    if (have.has(id)) continue;
    have.add(id);
    added.push(e);
  }
  const kept = dst.entries.length;
  if (added.length === 0) return { manifest: destination, write: false, added: [], kept };
  const maxEntries = limits.maxEntries ?? MAX_ENTRIES;
  const maxBytes = limits.maxBytes ?? MAX_ARTIFACT_BYTES;
  if (kept + added.length > maxEntries) {
    throw new MergeRefusedError(tag, "too-large", `the union has more than ${maxEntries} entries`);
  }
  const bytes = appendToArray(destination.bytes, dst.entrySpans, added.map((e) => e.raw));
  if (bytes.length > maxBytes) {
    throw new MergeRefusedError(tag, "too-large", `the union is larger than ${maxBytes} bytes`);
  }
  const manifest = { mediaType: destination.mediaType, digest: sha256Digest(bytes), bytes };
  // The union must read back as exactly the destination's entries, then the added ones.
  const check = parseArtifact(manifest, limits).entries.map((e) => e.key);
  const want = [...dst.entries, ...added].map((e) => e.key);
  if (check.length !== want.length || check.some((k, i) => k !== want[i])) {
    throw new AttachError(`Merging tag "${tag}" produced a manifest that does not read back`);
  }
  return { manifest, write: true, added: added.map((e) => e.descriptor), kept };
}
