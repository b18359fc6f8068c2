/** Check `promotes-nothing`: warns about a change that gives the promoter nothing to do. */
import type { Edge } from "../manifest/mod.ts";
import { type Check, type Finding, HAS_GIT_BASE } from "./check.ts";
import { ImageReader } from "./_image_reader.ts";

/**
 * Warns when the change adds or changes no digest or tag at all, or (when registries can be
 * read) when everything it adds is already in every destination.
 */
export const promotesNothing: Check = {
  name: "promotes-nothing",
  description: "Warns when the change adds no digest or tag to promote, or when every digest " +
    "and tag it adds is already in every destination (that part reads the destinations).",
  when: [HAS_GIT_BASE],
  run: async (ctx) => {
    const base = ctx.base!;
    if (ctx.changed.length === 0) {
      return [{
        severity: "warning",
        message: `the change adds no digest or tag to promote (compared with ${base.rev})`,
      }];
    }
    if (!ctx.openRegistry) {
      ctx.debug("promotes-nothing: no registry access, destinations not compared");
      return [];
    }
    const reader = new ImageReader(ctx.openRegistry, ctx.reader);
    const present = await Promise.all(ctx.changed.map((e) => inDestination(reader, e)));
    if (present.includes(false)) return [];
    const digests = new Set(ctx.changed.map((e) => `${e.image}@${e.digest}`));
    const first = ctx.changed[0]!;
    const finding: Finding = {
      severity: "warning",
      message: `everything the change adds (${digests.size} digest${
        digests.size === 1 ? "" : "s"
      }) is already in every destination: promoting it does nothing`,
      file: first.pos.file,
    };
    if (first.pos.line > 0) finding.line = first.pos.line;
    return [finding];
  },
};

/** Whether the destination already serves what the edge promotes (digest, and tag if any). */
async function inDestination(reader: ImageReader, e: Edge): Promise<boolean> {
  if (e.tag === null) return await reader.has(e.dst, e.image, e.digest);
  return (await reader.tagDigest(e.dst, e.image, e.tag)) === e.digest;
}
