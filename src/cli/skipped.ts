/** How the CLI tells about parts of the manifests a run leaves out for their problems. */
import { describeSkipped, type SkippedPart } from "../manifest/mod.ts";
import type { RunContext } from "./context.ts";

/** Logs every part of the manifests a run leaves out, with why (before the run's output). */
export function logSkipped(ctx: RunContext, skipped: readonly SkippedPart[]): void {
  for (const part of skipped) {
    const [head, ...more] = describeSkipped(part);
    ctx.log.error(`left out of this run: ${head}`);
    for (const line of more) ctx.log.error(line);
  }
}

/** Says at the end of a run that left parts out that the run fails for it. */
export function failForSkipped(ctx: RunContext, skipped: readonly SkippedPart[]): void {
  if (skipped.length === 0) return;
  ctx.log.error(
    `${skipped.length} part${
      skipped.length === 1 ? " of the manifests was" : "s of the manifests were"
    } ` +
      "left out of this run for problems confined to them (listed above); the run fails (exit 1)",
  );
}
