/** `cip --list-checks`: the name and description of every pre-submit check, to stdout. */
import { ALL_CHECKS } from "../checks/mod.ts";
import type { RunContext } from "./context.ts";

/** Prints one line per check: its name, padded, and its description. */
export async function runListChecks(ctx: RunContext): Promise<number> {
  const width = Math.max(...ALL_CHECKS.map((c) => c.name.length));
  const lines = ALL_CHECKS.map((c) => `${c.name.padEnd(width)}  ${c.description}\n`);
  await ctx.io.stdout(lines.join(""));
  return 0;
}
