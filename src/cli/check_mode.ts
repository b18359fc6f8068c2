/** A dry run that runs the pre-submit checks (until the promotion mode runs them itself). */
import { computeEdges, loadManifests, type ManifestInput } from "../manifest/mod.ts";
import type { RunContext } from "./context.ts";
import { preSubmit, readPreSubmitFlags } from "./pre_submit.ts";

/** Loads the manifests, runs the checks; exit 1 when a check reports an error. */
export async function runCheckMode(ctx: RunContext): Promise<number> {
  const v = ctx.flags.values;
  readPreSubmitFlags(ctx);
  const input: ManifestInput = {
    manifest: v.manifest as string | undefined,
    thinDir: v["thin-manifest-dir"] as string | undefined,
  };
  const manifests = await loadManifests(input, ctx.log);
  const edges = computeEdges(manifests);
  const result = await preSubmit(ctx, { manifests, edges, dryRun: true });
  if (result.scoped) ctx.log.info(`${result.edges.length} edges would be promoted`);
  return result.failed ? 1 : 0;
}
