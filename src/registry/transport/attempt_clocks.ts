/**
 * The two clocks of one attempt on the wire, which run only while the transfer waits on the
 * network (until the headers arrive, and while a read of the response body is pending; not
 * while the caller is not reading):
 *
 * - the idle timeout restarts whenever a request body chunk goes out or a response body chunk
 *   arrives, so a long transfer that makes progress is never cut by it (StalledError);
 * - the deadline (`attemptDeadlineMs`) never restarts: a trickling answer fails with a
 *   RegistryError that is not temporary, so it is not tried again.
 */
import { RegistryError } from "../errors.ts";
import { redactText } from "./redact.ts";

/** Starts a timer that calls `fire` after `ms`; returns a function that cancels it. */
export type Timer = (ms: number, fire: () => void) => () => void;

/** The real timer. */
export const realTimer: Timer = (ms, fire) => {
  const id = setTimeout(fire, ms);
  return () => clearTimeout(id);
};

/**
 * The slowest transfer rate an attempt's deadline allows for the bytes it is expected to carry:
 * 256 KiB/s, a second for every 256 KiB.
 */
export const MIN_BYTES_PER_SECOND = 256 * 1024;

/**
 * The deadline of one attempt: the larger of `deadlineMs` and twice its idle timeout, plus a
 * second per 256 KiB it is expected to carry. A registry that trickles a byte now and then (so
 * the idle timeout never fires) is cut off by it.
 */
export function attemptDeadlineMs(deadlineMs: number, timeoutMs: number, bytes: number): number {
  return Math.max(deadlineMs, 2 * timeoutMs) +
    Math.ceil(Math.max(0, bytes) / MIN_BYTES_PER_SECOND) * 1000;
}

/**
 * An attempt made no progress for its idle timeout: temporary, but the retry layer repeats a
 * stalled request only once (a registry that stalls tends to stall again).
 */
export class StalledError extends RegistryError {}

/** The idle timeout and the deadline of one attempt; `expire` aborts the attempt. */
export class AttemptClocks {
  /** Which clock ran out, if one did. */
  timedOut: "idle" | "deadline" | undefined;
  #cancelIdle = () => {};
  #cancelDeadline = () => {};
  #left: number;
  #waitingSince: number | undefined;

  /** Clocks of `timeoutMs` idle and `deadlineMs` in all; `abort` is called when one runs out. */
  constructor(
    readonly timer: Timer,
    readonly now: () => number,
    readonly timeoutMs: number,
    readonly deadlineMs: number,
    readonly abort: (reason: DOMException) => void,
  ) {
    this.#left = deadlineMs;
  }

  /** The transfer waits on the network: the idle timeout (re)starts, the deadline runs. */
  arm(): void {
    this.#cancelIdle();
    this.#cancelIdle = this.timer(this.timeoutMs, () => this.#expire("idle"));
    if (this.#waitingSince !== undefined) return;
    this.#waitingSince = this.now();
    this.#cancelDeadline = this.timer(Math.max(0, this.#left), () => this.#expire("deadline"));
  }

  /** The transfer does not wait on the network now: both clocks stop. */
  disarm(): void {
    this.#cancelIdle();
    this.#cancelIdle = () => {};
    if (this.#waitingSince === undefined) return;
    this.#left -= this.now() - this.#waitingSince;
    this.#waitingSince = undefined;
    this.#cancelDeadline();
    this.#cancelDeadline = () => {};
  }

  /** The error of a transfer that failed: a timeout, or what `e` says (after `prefix`). */
  failure(action: string, e: unknown, prefix = ""): RegistryError {
    if (this.timedOut === "idle") {
      return new StalledError(`${action}: ${this.#text("idle")}`, { temporary: true, cause: e });
    }
    if (this.timedOut === "deadline") {
      return new RegistryError(`${action}: ${this.#text("deadline")}`, { cause: e });
    }
    return new RegistryError(
      `${action}: ${prefix}${redactText(e instanceof Error ? e.message : String(e))}`,
      { temporary: true, cause: e },
    );
  }

  #expire(why: "idle" | "deadline"): void {
    this.timedOut ??= why;
    this.abort(new DOMException(this.#text(this.timedOut), "TimeoutError"));
  }

  #text(why: "idle" | "deadline"): string {
    return why === "idle"
      ? `no progress for ${this.timeoutMs} ms`
      : `no complete answer within its deadline of ${this.deadlineMs / 1000} s`;
  }
}
