/** Check `image-removal`: nothing promoted at the base disappears at the head. */
import type { Edge } from "../manifest/mod.ts";
import { type Check, type Finding, HAS_GIT_BASE } from "./check.ts";
import {
  describeRegistries,
  digestIndex,
  digestKey,
  groupBy,
  tagIndex,
  tagKey,
} from "./edge_keys.ts";
import { HeadLocator } from "./locate.ts";

/** Fails when a destination image, digest or tag promoted at the base is gone at the head. */
export const imageRemoval: Check = {
  name: "image-removal",
  description: "Nothing promoted at the git base (destination image, digest, tag) may be " +
    "removed from the manifests.",
  when: [HAS_GIT_BASE],
  run: (ctx) => {
    const base = ctx.base!;
    const headDigests = digestIndex(ctx.edges.edges);
    const headTags = tagIndex(ctx.edges.edges);
    const locator = new HeadLocator(ctx.manifests);
    const goneDigests: Edge[] = [];
    const goneTags: Edge[] = [];
    for (const [key, e] of digestIndex(base.edges.edges)) {
      if (!headDigests.has(key)) goneDigests.push(e);
    }
    const goneDigestKeys = new Set(goneDigests.map(digestKey));
    for (const e of base.edges.edges) {
      const key = tagKey(e);
      if (key === null || headTags.has(key)) continue;
      if (goneDigestKeys.has(digestKey(e))) continue;
      goneTags.push(e);
    }
    const findings: Finding[] = [];
    const baseTags = tagsByDigest(base.edges.edges);
    const byDigest = groupBy(
      goneDigests,
      (e) => `${e.manifest.imagesFile}\0${e.image}\0${e.digest}`,
    );
    for (const group of byDigest.values()) {
      const e = group[0]!;
      const tags = baseTags.get(digestKey(e)) ?? [];
      const tagText = tags.length > 0 ? ` (tags ${tags.join(", ")})` : "";
      findings.push({
        severity: "error",
        message: `image ${e.image}@${e.digest}${tagText} was promoted to ` +
          `${describeRegistries(group.map((g) => g.dst.name))} at ${base.rev} ` +
          "and is no longer in the manifests; promoted images must never be removed",
        ...locator.place(e.manifest.imagesFile, e.image),
      });
    }
    const byTag = groupBy(
      goneTags,
      (e) => `${e.manifest.imagesFile}\0${e.image}\0${e.digest}\0${e.tag}`,
    );
    for (const group of byTag.values()) {
      const e = group[0]!;
      findings.push({
        severity: "error",
        message: `tag ${e.image}:${e.tag} (${e.digest}) was promoted to ` +
          `${describeRegistries(group.map((g) => g.dst.name))} at ${base.rev} ` +
          "and is no longer in the manifests; promoted tags must never be removed",
        ...locator.place(e.manifest.imagesFile, e.image, e.digest),
      });
    }
    return Promise.resolve(findings);
  },
};

/** The tags each destination digest carries: `registry/image@digest` -> sorted tags. */
function tagsByDigest(edges: readonly Edge[]): Map<string, string[]> {
  const tags = new Map<string, string[]>();
  for (const e of edges) {
    if (e.tag === null) continue;
    const key = digestKey(e);
    const list = tags.get(key);
    if (list) list.push(e.tag);
    else tags.set(key, [e.tag]);
  }
  for (const list of tags.values()) list.sort();
  return tags;
}
