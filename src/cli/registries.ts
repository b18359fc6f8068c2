/**
 * The registries of one run, opened as the flags say: `--insecure-registries`,
 * `--max-requests-per-second`, `--threads`, `--key-files`, and per registry the service
 * account (Google credentials) or docker's config, or anonymous.
 */
import { parseHostList, Registries } from "../registry/mod.ts";
import type { RunContext } from "./context.ts";
import { UsageError } from "./usage_error.ts";

/** Reads a whole-number flag; undefined when absent, UsageError when not a number >= min. */
function intFlag(ctx: RunContext, name: string, min: number): number | undefined {
  const raw = ctx.flags.values[name];
  if (raw === undefined || typeof raw === "boolean") return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    throw new UsageError(`--${name} must be a whole number of at least ${min}, not "${raw}"`);
  }
  return Number(raw);
}

/** Opens registries for one run with the credentials and limits the flags ask for. */
export function registriesFromFlags(ctx: RunContext): Registries {
  const { io, log, flags } = ctx;
  const keyFiles = parseHostList(flags.values["key-files"] as string | undefined);
  const rps = intFlag(ctx, "max-requests-per-second", 0);
  const threads = intFlag(ctx, "threads", 1);
  return new Registries({
    keyFiles,
    env: io.env,
    insecureHosts: parseHostList(flags.values["insecure-registries"] as string | undefined),
    ...(rps !== undefined ? { maxRequestsPerSecond: rps } : {}),
    ...(threads !== undefined ? { threads } : {}),
    fetch: io.fetch,
    now: io.now,
    log,
  });
}
