/** `cip run --parse-only`: validate manifests, compute edges, summarise, no network. */
import { computeEdges, loadManifests } from "../manifest/mod.ts";
import type { RunContext } from "./context.ts";

/** Runs the parse-only mode. */
export async function runParseOnly(ctx: RunContext): Promise<number> {
  const v = ctx.flags.values;
  const manifests = await loadManifests({
    manifest: v.manifest as string | undefined,
    thinDir: v["thin-manifest-dir"] as string | undefined,
  }, ctx.log);
  const { edges } = computeEdges(manifests);
  ctx.log.info(`${manifests.length} manifests, ${edges.length} edges`);
  return 0;
}
