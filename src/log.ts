/** Levelled logging to stderr and a progress line; stdout is never touched here. */
import { escapeControls } from "./safe_text.ts";

/** The log levels, from most to least verbose. */
export const LEVELS = ["debug", "info", "warn", "error"] as const;

/** One of the log levels. */
export type Level = typeof LEVELS[number];

/** Where log text goes: a synchronous sink for whole lines. */
export type Sink = (text: string) => void;

/** A levelled logger that writes whole lines to a sink (stderr by default). */
export class Logger {
  #min: number;
  #sink: Sink;
  #terminal: boolean;
  #now: () => number;
  #progressShown = false;
  #lastPlainProgress = Number.NEGATIVE_INFINITY;

  /** `terminal` enables the one-line updating progress display. */
  constructor(
    level: Level = "info",
    sink: Sink = stderrSink,
    terminal = false,
    now: () => number = Date.now,
  ) {
    this.#min = LEVELS.indexOf(level);
    this.#sink = sink;
    this.#terminal = terminal;
    this.#now = now;
  }

  /** Whether messages of this level are written. */
  enabled(level: Level): boolean {
    return LEVELS.indexOf(level) >= this.#min;
  }

  /** Detail for debugging: every request, every decision. */
  debug(message: string): void {
    this.#log("debug", message);
  }

  /** Normal progress messages. */
  info(message: string): void {
    this.#log("info", message);
  }

  /** Something the user should look at; the run goes on. */
  warn(message: string): void {
    this.#log("warn", message);
  }

  /** Something failed. */
  error(message: string): void {
    this.#log("error", message);
  }

  /**
   * Shows a progress line: rewritten in place on a terminal, otherwise printed as a plain
   * info line at most once every `intervalMs`. `final` forces the line out and ends it.
   */
  progress(line: string, final = false, intervalMs = 10_000): void {
    if (!this.enabled("info")) return;
    if (this.#terminal) {
      this.#sink(`\r\x1b[2K${escapeControls(line)}${final ? "\n" : ""}`);
      this.#progressShown = !final;
      return;
    }
    const now = this.#now();
    if (final || now - this.#lastPlainProgress >= intervalMs) {
      this.#lastPlainProgress = now;
      this.#sink(`${escapeControls(line)}\n`);
    }
  }

  #log(level: Level, message: string): void {
    if (!this.enabled(level)) return;
    if (this.#progressShown) {
      this.#sink("\r\x1b[2K");
      this.#progressShown = false;
    }
    const prefix = level === "info" ? "" : `${level.toUpperCase()}: `;
    // One message is one line, whatever text from outside it carries.
    this.#sink(`${prefix}${escapeControls(message)}\n`);
  }
}

const encoder = new TextEncoder();

/** Writes text to stderr completely, synchronously. */
export function stderrSink(text: string): void {
  writeAllSync(Deno.stderr, encoder.encode(text));
}

/** Writes all bytes to a synchronous writer, looping over partial writes. */
export function writeAllSync(w: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += w.writeSync(bytes.subarray(done));
}
