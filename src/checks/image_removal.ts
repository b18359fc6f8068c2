/** Check `image-removal`: nothing promoted at the base disappears at the head. */
import { type Edge, EdgeIndex } from "../manifest/mod.ts";
import { type Check, type Finding, HAS_GIT_BASE } from "./check.ts";
import { describeRegistries } from "./_edge_keys.ts";
import { HeadLocator } from "./_locate.ts";

/** Fails when a destination image, digest or tag promoted at the base is gone at the head. */
export const imageRemoval: Check = {
  name: "image-removal",
  description: "Nothing promoted at the git base (destination image, digest, tag) may be " +
    "removed from the manifests.",
  when: [HAS_GIT_BASE],
  run: (ctx) => {
    const base = ctx.base!;
    const head = EdgeIndex.of(ctx.edges.edges);
    const locator = new HeadLocator(ctx.manifests);
    const goneDigests: { edge: Edge; tags: string[] }[] = [];
    const goneTags: Edge[] = [];
    for (const group of EdgeIndex.of(base.edges.edges).digests()) {
      const first = group[0]!;
      if (!head.digestEdges(first)) {
        const tags = group.flatMap((e) => e.tag === null ? [] : [e.tag]).sort();
        goneDigests.push({ edge: first, tags });
        continue;
      }
      for (const e of group) if (e.tag !== null && !head.tagged(e)) goneTags.push(e);
    }
    const findings: Finding[] = [];
    const byDigest = Map.groupBy(
      goneDigests,
      ({ edge: e }) => `${e.manifest.imagesFile}\0${e.image}\0${e.digest}`,
    );
    for (const group of byDigest.values()) {
      const { edge: e, tags } = group[0]!;
      const tagText = tags.length > 0 ? ` (tags ${tags.join(", ")})` : "";
      findings.push({
        severity: "error",
        message: `image ${e.image}@${e.digest}${tagText} was promoted to ` +
          `${describeRegistries(group.map((g) => g.edge.dst.name))} at ${base.rev} ` +
          "and is no longer in the manifests; promoted images must never be removed",
        ...locator.place(e.manifest.imagesFile, e.image),
      });
    }
    const byTag = Map.groupBy(
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
