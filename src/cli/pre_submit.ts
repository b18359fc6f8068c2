/**
 * The pre-submit step of a run: find the git base, scope the edges to the change when asked,
 * and in dry runs run the checks and print their findings (and GitHub annotations).
 */
import {
  ALL_CHECKS,
  type BaseRequest,
  baseRequest,
  type BaseState,
  type Check,
  type CheckContext,
  DiffBaseError,
  formatAnnotation,
  formatFinding,
  GitError,
  hasErrors,
  loadBaseManifests,
  parseCheckList,
  type RegistryOpener,
  repoPath,
  type RepoPlace,
  repoPlace,
  type ReportedFinding,
  runChecks,
  scopeEdges,
  selectChecks,
} from "../checks/mod.ts";
import {
  type Edge,
  type EdgeSet,
  inSkippedParts,
  type Manifest,
  type SkippedPart,
} from "../manifest/mod.ts";
import { manifestInput, type RunContext } from "./context.ts";
import { UsageError } from "./usage_error.ts";

/** What the mode running the pre-submit step passes in. */
export interface PreSubmitInput {
  /** The head's edges, as computeEdges returned them. */
  edges: EdgeSet;
  /** The head's manifests (default: those the edges come from). */
  manifests?: Manifest[];
  /** The parts of the head's manifests left out of the run: left out of the base as well. */
  skipped?: readonly SkippedPart[];
  /** Checks run only in dry runs; scoping applies either way. */
  dryRun: boolean;
  /** Opens registries for the checks that read them; without it those checks are skipped. */
  openRegistry?: RegistryOpener;
}

/** What the run goes on with. */
export interface PreSubmitResult {
  /** The edges to promote: those the change touched when scoping was asked, else all. */
  edges: Edge[];
  /** Whether the edges were scoped to a change (`--use-prow-manifest-diff`, `--manifest-diff-since`). */
  scoped: boolean;
  /** Whether a check reported an error: the run must exit 1. */
  failed: boolean;
  findings: ReportedFinding[];
}

const DEFAULT_MAX_IMAGE_SIZE_MIB = 2048;

/** The pre-submit flags, read and validated: which checks, the size limit, the base. */
export interface PreSubmitFlags {
  checks: Check[];
  maxImageSizeBytes: number;
  request: BaseRequest | null;
}

/**
 * Reads and validates the flags of the pre-submit step (`--checks`, `--skip-checks`,
 * `--max-image-size`, the base flags); throws UsageError. Call it before any slow work.
 */
export function readPreSubmitFlags(ctx: RunContext): PreSubmitFlags {
  const v = ctx.flags.values;
  return {
    checks: chooseChecks(v.checks as string | undefined, v["skip-checks"] as string | undefined),
    maxImageSizeBytes: parseMaxImageSize(v["max-image-size"] as string | undefined),
    request: readBaseRequest(ctx),
  };
}

/** Runs the pre-submit step; throws UsageError for bad check flags, GitError for git trouble. */
export async function preSubmit(ctx: RunContext, p: PreSubmitInput): Promise<PreSubmitResult> {
  const v = ctx.flags.values;
  const { checks, maxImageSizeBytes, request } = readPreSubmitFlags(ctx);
  const input = manifestInput(ctx.flags);
  let place: RepoPlace | undefined;
  let base: BaseState | undefined;
  // A base only serves checks (dry runs) and scoping; --diff-base with --confirm needs none.
  if (request && (p.dryRun || request.scope)) {
    place = await repoPlace(input);
    const rev = await baseRevision(place, request);
    const since = request.kind === "since" ? `the last commit before "${request.date}", ` : "";
    ctx.log.info(`comparing the manifests with ${since}${rev} (${request.why})`);
    base = await loadBaseManifests(input, place, rev, ctx.log);
    // What the head leaves out for its problems is neither removed nor changed by the change.
    const skipped = inSkippedParts(p.skipped ?? []);
    base.edges = { ...base.edges, edges: base.edges.edges.filter((e) => !skipped(e)) };
  }
  const head = p.edges.edges;
  const changed = base ? scopeEdges(head, base.edges.edges) : head;
  const scoped = request?.scope === true;
  if (scoped) {
    if (changed.length === 0) {
      ctx.log.warn(`the manifests changed nothing to promote since ${base!.rev}: nothing to do`);
    } else {
      ctx.log.info(
        `promoting only what changed since ${base!.rev}: ${changed.length} of ` +
          `${head.length} edges`,
      );
    }
  }
  const result: PreSubmitResult = {
    edges: scoped ? changed : head,
    scoped,
    failed: false,
    findings: [],
  };
  if (!p.dryRun) {
    if (v.checks !== undefined || v["skip-checks"] !== undefined) {
      ctx.log.warn(
        "checks run only in dry runs; --checks and --skip-checks do nothing with --confirm",
      );
    }
    return result;
  }
  const checkCtx: CheckContext = {
    manifests: p.manifests ?? [...new Set(p.edges.edges.map((e) => e.manifest))],
    edges: p.edges,
    changed,
    dryRun: p.dryRun,
    maxImageSizeBytes,
    debug: (m) => ctx.log.debug(m),
    ...(base ? { base } : {}),
    ...(p.openRegistry ? { openRegistry: p.openRegistry } : {}),
  };
  const outcome = await runChecks(checks, checkCtx);
  for (const s of outcome.skipped) ctx.log.debug(`check ${s.check} skipped: it needs ${s.needs}`);
  for (const f of outcome.findings) {
    if (f.severity === "error") ctx.log.error(formatFinding(f));
    else ctx.log.warn(formatFinding(f));
  }
  const actions = ctx.io.env("GITHUB_ACTIONS") === "true" && outcome.findings.length > 0;
  if (actions && v["json-log-summary"] === true) {
    ctx.log.info("no GitHub annotations: --json-log-summary keeps stdout for the JSON summary");
  } else if (actions) {
    const where = place ?? await repoPlace(input).catch((e) => {
      if (e instanceof GitError) return undefined;
      throw e;
    });
    const pathOf = where ? (file: string) => repoPath(where, file) : undefined;
    await ctx.io.stdout(outcome.findings.map((f) => `${formatAnnotation(f, pathOf)}\n`).join(""));
  }
  const errors = outcome.findings.filter((f) => f.severity === "error").length;
  const warnings = outcome.findings.length - errors;
  ctx.log.info(
    `checks: ${outcome.ran.length} ran (${outcome.ran.join(", ") || "none"}), ` +
      (outcome.skipped.length > 0
        ? `${outcome.skipped.length} skipped (why: --log-level=debug), `
        : "") +
      `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`,
  );
  return { ...result, failed: hasErrors(outcome.findings), findings: outcome.findings };
}

/** The checks `--checks` and `--skip-checks` leave; unknown names are a usage error. */
function chooseChecks(only: string | undefined, skip: string | undefined): Check[] {
  const sel = selectChecks(
    ALL_CHECKS,
    only === undefined ? undefined : parseCheckList(only),
    skip === undefined ? [] : parseCheckList(skip),
  );
  if (sel.unknown.length > 0) {
    throw new UsageError(
      `unknown check${sel.unknown.length === 1 ? "" : "s"} ${sel.unknown.join(", ")} ` +
        `(known: ${ALL_CHECKS.map((c) => c.name).join(", ")}; see --list-checks)`,
    );
  }
  return sel.checks;
}

/** `--max-image-size` in bytes; a value that is not a positive number is a usage error. */
function parseMaxImageSize(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_IMAGE_SIZE_MIB * 1024 * 1024;
  const mib = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(mib > 0)) {
    throw new UsageError(`--max-image-size must be a positive number of MiB, not "${value}"`);
  }
  return Math.round(mib * 1024 * 1024);
}

/** The base the flags and Prow's environment name; their mistakes are usage errors. */
function readBaseRequest(ctx: RunContext): BaseRequest | null {
  const v = ctx.flags.values;
  try {
    return baseRequest({
      diffBase: v["diff-base"] as string | undefined,
      useProwManifestDiff: v["use-prow-manifest-diff"] === true,
      manifestDiffSince: v["manifest-diff-since"] as string | undefined,
    }, ctx.io.env);
  } catch (e) {
    if (e instanceof DiffBaseError) throw new UsageError(e.message, { cause: e });
    throw e;
  }
}

/** The revision to compare with: as named, or the last commit before the date. */
async function baseRevision(place: RepoPlace, request: BaseRequest): Promise<string> {
  if (request.kind === "rev") return request.rev;
  return await place.git.lastCommitBefore(request.date);
}
