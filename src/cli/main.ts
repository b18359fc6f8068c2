/** The command line: parses flags, picks the mode, and is the one place errors become exit codes. */
import { ManifestError, ManifestErrors } from "../manifest/mod.ts";
import { escapeControls } from "../safe_text.ts";
import { readBuildInfo, VERSION, versionLine } from "../version.ts";
import { denoIo, type Io, makeContext, type RunContext } from "./context.ts";
import { describe } from "./error_text.ts";
import { type Flags, parseFlags } from "./flags.ts";
import { helpText } from "./help.ts";
import { runListChecks } from "./list_checks.ts";
import { runParseOnly } from "./parse_only.ts";
import { runPromote } from "./promote.ts";
import { RunDeadline, runTimeoutMs } from "./run_deadline.ts";
import {
  defaultSnapshotAccess,
  rejectSnapshotFlags,
  runSnapshot,
  wantsSnapshot,
} from "./snapshot.ts";
import { UsageError } from "./usage_error.ts";

/** Exit codes: success, a run that failed, bad usage or bad manifests. */
const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Runs `cip` with these arguments and returns the exit code; never throws. */
export async function main(args: string[], io: Io = denoIo()): Promise<number> {
  let flags: Flags;
  try {
    flags = parseFlags(args);
  } catch (e) {
    return reportError(e, io);
  }
  if (flags.values.help) {
    await io.stdout(helpText());
    return EXIT.ok;
  }
  if (flags.values.version) {
    await io.stdout(`${versionLine(VERSION, await readBuildInfo())}\n`);
    return EXIT.ok;
  }
  let deadline: RunDeadline;
  try {
    deadline = new RunDeadline(runTimeoutMs(flags), `--timeout=${flags.values.timeout}`);
  } catch (e) {
    return reportError(e, io);
  }
  const ctx = makeContext(flags, deadline.wrap(io));
  try {
    const mode = chooseMode(flags);
    return await deadline.race(mode(ctx));
  } catch (e) {
    return reportError(e, io, ctx);
  } finally {
    deadline.clear();
  }
}

/** A mode of the program: returns the exit code of a run that completed. */
type Mode = (ctx: RunContext) => Promise<number>;

/** Picks what to do from the flags; throws UsageError for impossible combinations. */
function chooseMode(flags: Flags): Mode {
  const v = flags.values;
  if (v["list-checks"]) return runListChecks;
  if (wantsSnapshot(flags)) return (ctx) => runSnapshot(ctx, defaultSnapshotAccess(ctx));
  rejectSnapshotFlags(flags);
  if (v.manifest !== undefined && v["thin-manifest-dir"] !== undefined) {
    throw new UsageError("--manifest and --thin-manifest-dir cannot be used together");
  }
  if (v.manifest === undefined && v["thin-manifest-dir"] === undefined) {
    throw new UsageError("one of --manifest or --thin-manifest-dir is required");
  }
  if (v["parse-only"]) return runParseOnly;
  return runPromote;
}

/** Prints an error the way its kind calls for and returns the exit code. */
function reportError(e: unknown, io: Io, ctx?: RunContext): number {
  // Messages may carry text from outside (flag values, files, registries): one line each.
  const line = (text: string) => io.stderr(`${escapeControls(text)}\n`);
  if (e instanceof UsageError) {
    line(`cip: ${e.message}`);
    io.stderr("Run 'cip --help' for usage.\n");
    return EXIT.usage;
  }
  if (e instanceof ManifestErrors) {
    for (const err of e.errors) line(`ERROR: ${err.message}`);
    const more = e.total - e.errors.length;
    if (more > 0) line(`ERROR: ... and ${more} more problems not shown`);
    line(`cip: ${e.message}`);
    return EXIT.usage;
  }
  if (e instanceof ManifestError) {
    line(`ERROR: ${e.message}`);
    io.stderr("cip: 1 problem found in the manifests\n");
    return EXIT.usage;
  }
  line(`cip: ${describe(e)}`);
  if (ctx?.log.enabled("debug") && e instanceof Error && e.stack) {
    for (const l of e.stack.split("\n")) line(l);
  }
  return EXIT.failed;
}
