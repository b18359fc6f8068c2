/**
 * Collects what reading manifests found, so that one run reports all of it at once: the
 * problems, the remarks (warnings and debug notes that are not problems), and the parts of the
 * manifests that problems confined to them leave out of a promotion.
 */
import { ManifestError, ManifestErrors, where } from "./errors.ts";
import type { Position } from "./types.ts";

/** How many problems an error report shows; the rest are only counted. */
const MAX_SHOWN_PROBLEMS = 100;

/** How many problems are kept in memory (hostile files can produce millions). */
const MAX_KEPT_PROBLEMS = 10_000;

/** How many remarks are kept; the rest are only counted. */
const MAX_KEPT_REMARKS = 1_000;

/** Something worth saying about a manifest that is not a problem. */
export interface Remark {
  /** `warn`: the user should tidy it; `debug`: shown only with --log-level=debug. */
  level: "warn" | "debug";
  /** `file:line:col: field: what`. */
  text: string;
}

/** A part of the manifests that problems confined to it leave out of a promotion run. */
export interface SkippedPart {
  /** What is left out: a whole sub-manifest, one image of an images file, or one digest of it. */
  kind: "sub-manifest" | "image" | "digest";
  /** How the part is named in messages: the sub-manifest's directory, `foo`, `foo@sha256:…`. */
  name: string;
  /** Where the part stands. */
  pos: Position;
  /** The problems that leave it out (the first ones, when there were very many). */
  problems: ManifestError[];
}

/** A growing list of problems (ManifestError), remarks and skipped parts. */
export class Problems {
  #errors: ManifestError[] = [];
  /** The number of each kept error among all problems, parallel to #errors. */
  #numbers: number[] = [];
  #total = 0;
  #remarks: Remark[] = [];
  #remarksLeftOut = 0;
  #skipped: SkippedPart[] = [];

  /** How many problems were reported in all. */
  get count(): number {
    return this.#total;
  }

  /** The remarks, in the order they were made. */
  get remarks(): readonly Remark[] {
    return this.#remarks;
  }

  /** How many remarks were made beyond the ones kept. */
  get remarksLeftOut(): number {
    return this.#remarksLeftOut;
  }

  /** The parts left out, in the order they were found. */
  get skipped(): readonly SkippedPart[] {
    return this.#skipped;
  }

  /** Records a problem at a position, for a field path; returns it (null beyond the cap). */
  add(pos: Position, field: string, detail: string): ManifestError | null {
    const error = new ManifestError(pos, field, detail);
    return this.addError(error) ? error : null;
  }

  /** Records a problem that was already built; returns whether it was kept (under the cap). */
  addError(error: ManifestError): boolean {
    this.#total++;
    if (this.#errors.length >= MAX_KEPT_PROBLEMS) return false;
    this.#errors.push(error);
    this.#numbers.push(this.#total - 1);
    return true;
  }

  /** Counts problems that were left out without building them (e.g. a flood of syntax errors). */
  addUncounted(n: number): void {
    this.#total += n;
  }

  /** A mark for since(): the number of problems so far (count - mark is how many came since). */
  mark(): number {
    return this.#total;
  }

  /** The problems kept among those recorded since `mark` was taken. */
  since(mark: number): ManifestError[] {
    let i = this.#numbers.length;
    while (i > 0 && this.#numbers[i - 1]! >= mark) i--;
    return this.#errors.slice(i);
  }

  /** Records a warning: nothing is wrong enough to refuse, but the user should tidy it. */
  warn(pos: Position, field: string, detail: string): void {
    this.#remark("warn", pos, field, detail);
  }

  /** Records a note shown only at debug level. */
  note(pos: Position, field: string, detail: string): void {
    this.#remark("debug", pos, field, detail);
  }

  /**
   * Records a part of the manifests left out of promotion runs because of its problems. With
   * `replacing`, the parts recorded since `skipped.length` was that number are dropped: the new
   * part holds them (a whole sub-manifest left out holds its images).
   */
  skip(part: SkippedPart, replacing?: number): void {
    if (replacing !== undefined) this.#skipped.length = replacing;
    this.#skipped.push(part);
  }

  /** All problems as one ManifestErrors: files in first-seen order, lines in order, capped. */
  toError(): ManifestErrors {
    const byFile = Map.groupBy(this.#errors, (e) => e.pos.file);
    const sorted: ManifestError[] = [];
    for (const list of byFile.values()) {
      list.sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
      for (const e of list) {
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

  #remark(level: Remark["level"], pos: Position, field: string, detail: string): void {
    if (this.#remarks.length >= MAX_KEPT_REMARKS) {
      this.#remarksLeftOut++;
      return;
    }
    this.#remarks.push({ level, text: where(pos, field, detail) });
  }
}

/**
 * Whether an edge belongs to one of the skipped parts: the edges those parts would have given,
 * when the same files are read at another revision. Parts are matched by file and name.
 */
export function inSkippedParts(
  parts: readonly SkippedPart[],
): (
  edge: { manifest: { file: string; imagesFile: string }; image: string; digest: string },
) => boolean {
  const keys = new Set(
    parts.map((p) => `${p.kind}\0${p.pos.file}\0${p.kind === "sub-manifest" ? "" : p.name}`),
  );
  if (keys.size === 0) return () => false;
  return (e) =>
    keys.has(`sub-manifest\0${e.manifest.file}\0`) ||
    keys.has(`image\0${e.manifest.imagesFile}\0${e.image}`) ||
    keys.has(`digest\0${e.manifest.imagesFile}\0${e.image}@${e.digest}`);
}

/** How many problems of one skipped part are shown. */
const MAX_SHOWN_PER_PART = 5;

/**
 * Lines that say why a part is left out of a run: `<kind> <name>: <first problem>`, then
 * `  also: <problem>` for the next few and a count of the rest.
 */
export function describeSkipped(part: SkippedPart): string[] {
  const [first, ...rest] = part.problems;
  const head = `${part.kind} ${part.name}`;
  if (!first) return [`${head} (${where(part.pos, "", "has problems")})`];
  const lines = [`${head}: ${first.message}`];
  for (const p of rest.slice(0, MAX_SHOWN_PER_PART - 1)) lines.push(`  also: ${p.message}`);
  if (rest.length >= MAX_SHOWN_PER_PART) {
    lines.push(
      `  and ${rest.length - MAX_SHOWN_PER_PART + 1} more problems (--parse-only lists all)`,
    );
  }
  return lines;
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
