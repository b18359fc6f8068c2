/** Check `tag-move`: no tag points at another digest than it did at the base. */
import { type Edge, EdgeIndex } from "../manifest/mod.ts";
import { type Check, type Finding, HAS_GIT_BASE } from "./check.ts";
import { describeRegistries } from "./_edge_keys.ts";

/** Fails when a destination tag that pointed at one digest at the base points at another. */
export const tagMove: Check = {
  name: "tag-move",
  description: "No tag that pointed at one digest at the git base may point at another " +
    "(read from git alone, no registry).",
  when: [HAS_GIT_BASE],
  run: (ctx) => {
    const base = ctx.base!;
    const before = EdgeIndex.of(base.edges.edges);
    const moved: { was: Edge; now: Edge }[] = [];
    for (const now of ctx.edges.edges) {
      const was = before.tagged(now);
      if (was && was.digest !== now.digest) moved.push({ was, now });
    }
    const groups = Map.groupBy(
      moved,
      (m) => `${m.now.pos.file}\0${m.now.pos.line}\0${m.now.image}\0${m.now.tag}\0${m.was.digest}`,
    );
    const findings: Finding[] = [];
    for (const group of groups.values()) {
      const { was, now } = group[0]!;
      findings.push({
        severity: "error",
        message: `tag ${now.image}:${now.tag} would move from ${was.digest} (at ${base.rev}) ` +
          `to ${now.digest} in ${describeRegistries(group.map((m) => m.now.dst.name))}; ` +
          "promoted tags never move: give the new digest a new tag",
        file: now.pos.file,
        ...(now.pos.line > 0 ? { line: now.pos.line } : {}),
      });
    }
    return Promise.resolve(findings);
  },
};
