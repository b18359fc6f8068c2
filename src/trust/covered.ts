/**
 * An image covered by the signature of an index: cosign signs a multi-platform image by its
 * index's digest, and the index names each child by digest, so a child whose index's signature
 * counts needs no signature of its own. Manifests usually list the children of an index as
 * tagless digests of the same image; they are verified through their index.
 */
import { type ContentReader, isIndexMediaType, modelOf } from "../registry/mod.ts";
import type { TrustPolicy, TrustRoot } from "../sigstore/mod.ts";
import { type ImageAt, type ImageTrust, trustProblem, verifyImage } from "./verify_image.ts";

/**
 * Verifies `image`; when its own signatures do not count, tries each of `parents` (other digests
 * of the same repository) that is an index listing it as a child, and takes the first whose
 * signature counts (`via` names it). Never throws for what a registry holds.
 */
export async function verifyImageOrIndex(
  image: ImageAt,
  parents: readonly string[],
  policy: TrustPolicy,
  root: TrustRoot,
  reader: ContentReader,
  done?: Map<string, Promise<unknown>>,
): Promise<ImageTrust & { via?: string }> {
  const own = await verifyImage(image, policy, root, reader, done);
  if (trustProblem(own) === null) return own;
  for (const parent of parents) {
    if (parent === image.digest) continue;
    let lists = false;
    try {
      const m = await reader.manifest(image.backend, image.repo, parent);
      lists = m !== null && isIndexMediaType(m.mediaType) &&
        modelOf(m).children.some((c) => c.digest === image.digest);
    } catch {
      lists = false;
    }
    if (!lists) continue;
    const index = await verifyImage({ ...image, digest: parent }, policy, root, reader, done);
    if (trustProblem(index) === null) return { ...index, ref: own.ref, via: parent };
  }
  return own;
}
