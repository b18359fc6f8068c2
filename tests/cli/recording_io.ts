/** An Io for in-process runs of the CLI that records what goes to stdout and stderr. */
import type { Io } from "../../src/cli/context.ts";

/** What a recording Io runs over; by default no network, no environment and a clock at 0. */
export interface RecordingOptions {
  fetch?: typeof globalThis.fetch;
  env?: Record<string, string>;
  now?: () => number;
}

/** The outcome of one in-process run. */
export interface RecordedRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** An Io that records stdout and stderr; `result(code)` joins them into a run's outcome. */
export function recordingIo(options: RecordingOptions = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const env = options.env ?? {};
  const io: Io = {
    stdout: (t) => {
      out.push(t);
      return Promise.resolve();
    },
    stderr: (t) => void err.push(t),
    env: (name) => Object.hasOwn(env, name) ? env[name] : undefined,
    stderrIsTerminal: false,
    fetch: options.fetch ?? (() => Promise.reject(new Error("no network in this test"))),
    now: options.now ?? (() => 0),
  };
  const result = (code: number): RecordedRun => ({
    code,
    stdout: out.join(""),
    stderr: err.join(""),
  });
  return { io, out, err, result };
}
