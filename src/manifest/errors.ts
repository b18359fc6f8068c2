/** Errors found in manifests: each names the file, line, column and field path. */
import type { Position } from "./types.ts";

/** One problem in a manifest file, e.g. `a.yaml:3:5: images[0].dmap: ...`. */
export class ManifestError extends SyntaxError {
  /** Where the problem stands; line and column are 0 when the whole file is concerned. */
  readonly pos: Position;
  /** The field path, e.g. `images[2].dmap."sha256:…"[1]`, or "" for the whole file. */
  readonly field: string;
  /** What is wrong and what is expected, without the location. */
  readonly detail: string;

  /** Builds an error at a position, for a field. */
  constructor(pos: Position, field: string, detail: string, options?: ErrorOptions) {
    super(where(pos, field, detail), options);
    this.name = "ManifestError";
    this.pos = pos;
    this.field = field;
    this.detail = detail;
  }
}

/** `file:line:col: field: detail` (the line and column left out when they are 0, the field when empty). */
export function where(pos: Position, field: string, detail: string): string {
  const at = pos.line > 0 ? `${pos.file}:${pos.line}:${pos.col}` : pos.file;
  return `${at}: ${field ? `${field}: ` : ""}${detail}`;
}

/** All problems found in one run over the manifests (reported together, exit code 2). */
export class ManifestErrors extends AggregateError {
  /** The problems, in file and line order. */
  declare readonly errors: ManifestError[];
  /** How many problems there were in all (more than `errors` when the list was capped). */
  readonly total: number;

  /** Wraps a list of problems; `total` counts the ones left out by a cap. */
  constructor(errors: ManifestError[], total = errors.length) {
    super(errors, `${total} problem${total === 1 ? "" : "s"} found in the manifests`);
    this.name = "ManifestErrors";
    this.total = total;
  }
}
