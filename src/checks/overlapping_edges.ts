/** Check `overlapping-edges`: no destination tag is wanted with two different digests. */
import type { Check, Finding } from "./check.ts";

/** Fails for every destination tag two manifest entries want with different digests. */
export const overlappingEdges: Check = {
  name: "overlapping-edges",
  description: "No destination tag may be promoted with two different digests, within one " +
    "manifest or across manifests.",
  when: [],
  run: (ctx) => {
    const findings: Finding[] = ctx.edges.overlaps.map(({ target, a, b }) => ({
      severity: "error",
      message: `overlapping edges: ${target} is wanted with ${b.digest} here and with ` +
        `${a.digest} at ${a.pos.file}:${a.pos.line}; a tag can point at one digest only`,
      file: b.pos.file,
      ...(b.pos.line > 0 ? { line: b.pos.line } : {}),
    }));
    return Promise.resolve(findings);
  },
};
