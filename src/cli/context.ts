/** What a mode of the command line gets to work with: flags, logger, output, environment. */
import { type Level, Logger, stderrSink, writeAllSync } from "../log.ts";
import type { ManifestInput } from "../manifest/mod.ts";
import type { Flags } from "./flags.ts";

/** The outside world as the CLI sees it; tests pass their own. */
export interface Io {
  /** Writes data to stdout. */
  stdout: (text: string) => Promise<void>;
  /** Writes log text to stderr. */
  stderr: (text: string) => void;
  /** Reads an environment variable. */
  env: (name: string) => string | undefined;
  /** Whether stderr is a terminal (enables the updating progress line). */
  stderrIsTerminal: boolean;
  /** The fetch every registry request goes through. */
  fetch: typeof fetch;
  /** The clock, in milliseconds. */
  now: () => number;
}

/** Everything one run of a mode needs. */
export interface RunContext {
  flags: Flags;
  log: Logger;
  io: Io;
}

const encoder = new TextEncoder();

/** The real process: Deno's stdout/stderr, environment, fetch and clock. */
export function denoIo(): Io {
  return {
    stdout: (text) => {
      try {
        writeAllSync(Deno.stdout, encoder.encode(text));
      } catch (e) {
        // A closed pipe (`cip ... | head`) or a full disk: say where the data could not go.
        return Promise.reject(new Error("Cannot write to stdout", { cause: e }));
      }
      return Promise.resolve();
    },
    stderr: stderrSink,
    env: (name) => Deno.env.get(name),
    stderrIsTerminal: Deno.stderr.isTerminal(),
    fetch: globalThis.fetch,
    now: Date.now,
  };
}

/** Builds the context of one run from parsed flags and the outside world. */
export function makeContext(flags: Flags, io: Io, level: Level = flags.logLevel): RunContext {
  return { flags, io, log: new Logger(level, io.stderr, io.stderrIsTerminal, io.now) };
}

/** The manifests the flags name: `--manifest` or `--thin-manifest-dir`. */
export function manifestInput(flags: Flags): ManifestInput {
  return {
    manifest: flags.values.manifest as string | undefined,
    thinDir: flags.values["thin-manifest-dir"] as string | undefined,
  };
}
