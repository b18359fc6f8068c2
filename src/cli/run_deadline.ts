/**
 * `--timeout`: the deadline of a whole run. When it passes, every request in flight is aborted
 * and the run stops with exit code 1, whatever it was waiting for.
 */
import type { Io } from "./context.ts";
import type { Flags } from "./flags.ts";
import { UsageError } from "./usage_error.ts";

/** The run went on for longer than `--timeout` allows. */
export class RunTimeoutError extends Error {
  /** `flag` is the flag as given, e.g. `--timeout=30m`. */
  constructor(flag: string) {
    super(`the run did not finish within ${flag} and was stopped; running it again goes on`);
    this.name = "RunTimeoutError";
  }
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

/**
 * `--timeout` in milliseconds: `90s`, `30m`, `2h`, or whole seconds; undefined when absent or
 * `0` (no limit). Throws UsageError for anything else.
 */
export function runTimeoutMs(flags: Flags): number | undefined {
  const raw = flags.values.timeout;
  if (raw === undefined || typeof raw === "boolean") return undefined;
  const m = /^(\d{1,9})([smh]?)$/.exec(raw);
  if (m === null) {
    throw new UsageError(
      `--timeout must be a duration such as 90s, 30m or 2h (0 for none), not "${raw}"`,
    );
  }
  const ms = Number(m[1]) * UNITS[m[2] || "s"]!;
  return ms === 0 ? undefined : ms;
}

/** A run's deadline: its abort signal reaches every request; `race` stops the run itself. */
export class RunDeadline {
  readonly #ac = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #expired: Promise<never> | undefined;

  /** Starts the clock now; `ms` undefined means no deadline; `flag` names it in the error. */
  constructor(ms: number | undefined, flag: string) {
    if (ms === undefined) return;
    this.#expired = new Promise<never>((_, reject) => {
      this.#timer = setTimeout(() => {
        const e = new RunTimeoutError(flag);
        this.#ac.abort(e);
        reject(e);
      }, ms);
    });
    this.#expired.catch(() => {});
  }

  /** `io` whose fetch is aborted when the deadline passes (every registry and token request). */
  wrap(io: Io): Io {
    if (this.#expired === undefined) return io;
    const run = this.#ac.signal;
    return {
      ...io,
      fetch: (input, init) =>
        io.fetch(input, {
          ...init,
          signal: init?.signal ? AbortSignal.any([init.signal, run]) : run,
        }),
    };
  }

  /** The run's result, or a RunTimeoutError as soon as the deadline passes. */
  race<T>(run: Promise<T>): Promise<T> {
    return this.#expired === undefined ? run : Promise.race([run, this.#expired]);
  }

  /** Stops the clock (the run is over). */
  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }
}
