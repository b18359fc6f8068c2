/**
 * The referrers list as an image index: the entry a referrer gets in it, and a new index of
 * entries. Facts relied on (OCI distribution spec v1.1, "Listing Referrers" and "Pushing
 * Manifests with Subject"): the list is an `application/vnd.oci.image.index.v1+json` whose
 * `manifests` are descriptors of the referrers; each carries the referrer's `artifactType`
 * (else, for an image manifest, its config's media type; for an index without one, none) and
 * all of its annotations. A client pushing a referrer to a registry without the API appends
 * such a descriptor to the index at the referrers-schema tag, unless one with its digest is
 * there already, beginning from an empty index when the tag is absent.
 */
import { type ManifestBytes, OCI_INDEX, sha256Digest } from "../registry/mod.ts";
import { type ArtifactManifest, effectiveArtifactType } from "./artifact_manifest.ts";
import type { ArtifactDescriptor } from "./descriptor.ts";

/** The descriptor a referrers list gives `manifest` (parsed from `bytes`). */
export function referrersEntry(manifest: ArtifactManifest, bytes: Uint8Array): ArtifactDescriptor {
  const entry: ArtifactDescriptor = {
    mediaType: manifest.mediaType,
    digest: manifest.digest,
    size: bytes.length,
  };
  const artifactType = effectiveArtifactType(manifest);
  if (artifactType !== undefined) entry.artifactType = artifactType;
  if (Object.keys(manifest.annotations).length > 0) entry.annotations = manifest.annotations;
  return entry;
}

/** An entry as JSON in the field order the spec's examples use. */
export function entryJson(entry: ArtifactDescriptor): string {
  const ordered: Record<string, unknown> = {
    mediaType: entry.mediaType,
    digest: entry.digest,
    size: entry.size,
  };
  if (entry.artifactType !== undefined) ordered.artifactType = entry.artifactType;
  if (entry.annotations !== undefined) ordered.annotations = entry.annotations;
  return JSON.stringify(ordered);
}

/** A new referrers index listing `entries` in order (the first of equal digests kept). */
export function referrersIndex(entries: readonly ArtifactDescriptor[]): ManifestBytes {
  const seen = new Set<string>();
  const kept = entries.filter((e) => !seen.has(e.digest) && seen.add(e.digest));
  const text = `{"schemaVersion":2,"mediaType":"${OCI_INDEX}","manifests":[${
    kept.map(entryJson).join(",")
  }]}`;
  const bytes = new TextEncoder().encode(text);
  return { mediaType: OCI_INDEX, digest: sha256Digest(bytes), bytes };
}
