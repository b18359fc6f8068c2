/** Collects the problems found in manifests so that one run reports all of them at once. */
import { ManifestError, ManifestErrors } from "./errors.ts";
import type { Position } from "./types.ts";

/** How many problems an error report shows; the rest are only counted. */
export const MAX_SHOWN_PROBLEMS = 100;

/** How many problems are kept in memory (hostile files can produce millions). */
const MAX_KEPT_PROBLEMS = 10_000;

/** A growing list of ManifestError, grouped by file in the order files were first seen. */
export class Problems {
  #byFile = new Map<string, ManifestError[]>();
  #total = 0;
  #kept = 0;

  /** How many problems were reported in all. */
  get count(): number {
    return this.#total;
  }

  /** Records a problem at a position, for a field path. */
  add(pos: Position, field: string, detail: string): void {
    this.#total++;
    if (this.#kept >= MAX_KEPT_PROBLEMS) return;
    this.#keep(new ManifestError(pos, field, detail));
  }

  /** Records a problem that was already built (for example an overlap of two edges). */
  addError(error: ManifestError): void {
    this.#total++;
    if (this.#kept >= MAX_KEPT_PROBLEMS) return;
    this.#keep(error);
  }

  /** Counts problems that were left out without building them (e.g. a flood of syntax errors). */
  addUncounted(n: number): void {
    this.#total += n;
  }

  /** All problems as one ManifestErrors: files in first-seen order, lines in order, capped. */
  toError(): ManifestErrors {
    const sorted: ManifestError[] = [];
    for (const list of this.#byFile.values()) {
      const inFile = [...list].sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
      for (const e of inFile) {
        if (sorted.length >= MAX_SHOWN_PROBLEMS) break;
        sorted.push(e);
      }
    }
    return new ManifestErrors(sorted, this.#total);
  }

  /** Throws ManifestErrors when any problem was recorded. */
  throwIfAny(): void {
    if (this.#total > 0) throw this.toError();
  }

  #keep(error: ManifestError): void {
    this.#kept++;
    const list = this.#byFile.get(error.pos.file);
    if (list) list.push(error);
    else this.#byFile.set(error.pos.file, [error]);
  }
}

/** The longest piece of user text quoted in a message. */
const MAX_SHOWN_CHARS = 80;

/**
 * Shows user text in a message: as it is when it is short printable ASCII without quotes,
 * else JSON-quoted (control characters made visible) and cut to a readable length.
 */
export function show(text: string): string {
  if (text.length <= MAX_SHOWN_CHARS && /^[\x21-\x7e]+$/.test(text) && !/^["']/.test(text)) {
    return text;
  }
  return quote(text);
}

/** Quotes user text for a message: JSON-quoted, cut to a readable length. */
export function quote(text: string): string {
  const cut = text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
  return JSON.stringify(cut);
}

/** A position that concerns a whole file (no line and column). */
export function filePos(file: string): Position {
  return { file, line: 0, col: 0 };
}
