/**
 * Which edges a run promotes: all of them, or, in scoped promotion (`--use-prow-manifest-diff`,
 * `--manifest-diff-since`), only those of the digests the change added or changed since its
 * git base. Promotion never deletes, so what the change removed is not promoted either way.
 */
import type { Logger } from "../log.ts";
import { changedEdges, type Edge } from "../manifest/mod.ts";
import type { Base } from "../manifest/git_base/mod.ts";

/** The edges to promote: `edges` unless the base asks for scoping; says which were kept. */
export function scopeEdges(
  edges: readonly Edge[],
  base: Base | undefined,
  log: Logger,
): readonly Edge[] {
  if (!base?.request.scope) return edges;
  const changed = changedEdges(edges, base.state.edges.edges);
  if (changed.length === 0) {
    log.warn(`the manifests changed nothing to promote since ${base.state.rev}: nothing to do`);
  } else {
    log.info(
      `promoting only what changed since ${base.state.rev}: ${changed.length} of ` +
        `${edges.length} edges`,
    );
  }
  return changed;
}
