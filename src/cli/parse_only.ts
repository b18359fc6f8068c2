/** `cip run --parse-only`: validate manifests, compute edges, summarise on stderr, no network. */
import { edgesOf, edgeTarget, loadManifests } from "../manifest/mod.ts";
import { manifestInput, type RunContext } from "./context.ts";

/**
 * Runs the parse-only mode: exit 0 when the manifests are valid; throws ManifestErrors listing
 * every problem if not, those a promotion run would only leave out included.
 */
export async function runParseOnly(ctx: RunContext): Promise<number> {
  const loaded = await loadManifests(manifestInput(ctx.flags), ctx.log);
  const set = edgesOf(loaded);
  loaded.problems.throwIfAny();
  const { manifests } = loaded;
  if (ctx.log.enabled("debug")) {
    for (const { kept, dropped } of set.redundantEdges) {
      const at = (p: { file: string; line: number; col: number }) => `${p.file}:${p.line}:${p.col}`;
      ctx.log.debug(
        `redundant edge: ${edgeTarget(dropped)} at ${at(dropped.pos)} repeats ${at(kept.pos)}`,
      );
    }
  }
  let registries = 0, images = 0, digests = 0;
  for (const m of manifests) {
    registries += m.registries.length;
    images += m.images.length;
    for (const img of m.images) digests += img.digests.length;
  }
  ctx.log.info(
    `parse-only: ${count(manifests.length, "manifest")}, ${count(registries, "registry")}, ` +
      `${count(images, "image")}, ${count(digests, "digest")}, ` +
      `${count(set.edges.length, "edge")} (${set.redundantEdges.length} redundant): valid`,
  );
  return 0;
}

/** `n thing` or `n things`. */
function count(n: number, thing: string): string {
  if (n === 1) return `1 ${thing}`;
  return `${n} ${thing.endsWith("y") ? `${thing.slice(0, -1)}ies` : `${thing}s`}`;
}
