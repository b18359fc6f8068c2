/**
 * Referrers in an OCI image layout: the layout has no API to ask, so the manifests its
 * `index.json` lists (tagged or not) are read, and those whose `subject` is the digest are
 * listed, as the distribution spec's referrers API lists them (OCI 1.1): each with its
 * `artifactType` (else an image manifest's config media type) and annotations. oras keeps
 * referrers in a layout the same way: pushed by digest, recorded in `index.json`, found by
 * their subject. Referrers kept with the referrers tag schema are found through the tags.
 */
import { isIndexMediaType, ManifestFormatError, readManifest } from "../../oci/mod.ts";
import { readVerified } from "./blob.ts";
import { blobPath, type LayoutState } from "./layout.ts";
import type { BlobInfo } from "./manifest_set.ts";

/** What a manifest blob says about itself as a referrer; blobs never change, so never stale. */
export type ReferrerCache = Map<string, ReferrerFacts | null>;

/** The subject of a manifest and the descriptor fields the referrers list gives it. */
interface ReferrerFacts {
  subject: string;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** Reads what a manifest blob refers to; null for no subject or bytes that are no manifest. */
async function factsOf(
  state: LayoutState,
  digest: string,
  mediaType: string,
  cache: ReferrerCache,
  blobInfo: BlobInfo,
): Promise<ReferrerFacts | null> {
  const path = blobPath(state.dir, digest);
  if (cache.has(path)) return cache.get(path)!;
  if ((await blobInfo(path)) === null) return null;
  let facts: ReferrerFacts | null = null;
  try {
    const m = readManifest(await readVerified(path, digest), mediaType);
    if (m.subject !== undefined) {
      facts = { subject: m.subject.digest };
      const type = m.artifactType ??
        (isIndexMediaType(m.mediaType) ? undefined : m.config?.mediaType);
      if (type !== undefined) facts.artifactType = type;
      if (Object.keys(m.annotations).length > 0) facts.annotations = m.annotations;
    }
  } catch (e) {
    if (!(e instanceof ManifestFormatError)) throw e;
  }
  cache.set(path, facts);
  return facts;
}

/** The descriptors of the layout's manifests whose subject is `digest`, in index order. */
export async function referrersIn(
  state: LayoutState,
  digest: string,
  cache: ReferrerCache,
  blobInfo: BlobInfo,
): Promise<unknown[]> {
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (const e of state.index.entries) {
    if (seen.has(e.digest)) continue;
    seen.add(e.digest);
    const facts = await factsOf(state, e.digest, e.mediaType, cache, blobInfo);
    if (facts?.subject !== digest) continue;
    const d: Record<string, unknown> = { mediaType: e.mediaType, digest: e.digest, size: e.size };
    if (facts.artifactType !== undefined) d.artifactType = facts.artifactType;
    if (facts.annotations !== undefined) d.annotations = facts.annotations;
    out.push(d);
  }
  return out;
}
