/**
 * The pre-submit flags of `cip run` (`--checks`, `--skip-checks`, `--max-image-size`, the base
 * flags) as options, and the checks' results as text: findings on stderr, GitHub annotations
 * on stdout, one summary line. The checks themselves run in src/checks.
 */
import {
  ALL_CHECKS,
  type Check,
  checksSummary,
  formatAnnotation,
  formatFinding,
  hasErrors,
  parseCheckList,
  type RegistryOpener,
  runPreSubmit,
  selectChecks,
} from "../checks/mod.ts";
import type { Edge, EdgeSet, Manifest } from "../manifest/mod.ts";
import type { ContentReader } from "../registry/mod.ts";
import type { TrustSettings } from "../trust/mod.ts";
import {
  type Base,
  type BaseRequest,
  baseRequest,
  DiffBaseError,
  GitError,
  repoPath,
  repoPlace,
} from "../manifest/git_base/mod.ts";
import { manifestInput, type RunContext } from "./context.ts";
import { UsageError } from "./usage_error.ts";

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

/** The change the checks look at: the head's manifests and edges, and its base if read. */
export interface Change {
  manifests: Manifest[];
  edges: EdgeSet;
  base: Base | undefined;
}

/**
 * In a dry run, runs the checks over the change and prints what they found; returns whether
 * one reported an error (the run then exits 1). With --confirm no check runs. Without a base,
 * the checks that read registries look only at `pending` (what the plan would copy) when given.
 */
export async function checkChange(
  ctx: RunContext,
  flags: PreSubmitFlags,
  change: Change,
  openRegistry: RegistryOpener,
  reader?: ContentReader,
  pending?: Edge[],
  trust?: TrustSettings,
): Promise<boolean> {
  const v = ctx.flags.values;
  if (v.confirm === true) {
    if (v.checks !== undefined || v["skip-checks"] !== undefined) {
      ctx.log.warn(
        "checks run only in dry runs; --checks and --skip-checks do nothing with --confirm",
      );
    }
    return false;
  }
  const result = await runPreSubmit({
    checks: flags.checks,
    manifests: change.manifests,
    edges: change.edges,
    maxImageSizeBytes: flags.maxImageSizeBytes,
    debug: (m) => ctx.log.debug(m),
    openRegistry,
    ...(reader ? { reader } : {}),
    ...(pending ? { pending } : {}),
    ...(trust ? { trust } : {}),
    ...(change.base ? { base: change.base.state } : {}),
  });
  for (const s of result.skipped) ctx.log.debug(`check ${s.check} skipped: it needs ${s.needs}`);
  for (const f of result.findings) {
    if (f.severity === "error") ctx.log.error(formatFinding(f));
    else ctx.log.warn(formatFinding(f));
  }
  const actions = ctx.io.env("GITHUB_ACTIONS") === "true" && result.findings.length > 0;
  if (actions && v["json-log-summary"] === true) {
    ctx.log.info("no GitHub annotations: --json-log-summary keeps stdout for the JSON summary");
  } else if (actions) {
    const where = change.base?.place ?? await repoPlace(manifestInput(ctx.flags)).catch((e) => {
      if (e instanceof GitError) return undefined;
      throw e;
    });
    const pathOf = where ? (file: string) => repoPath(where, file) : undefined;
    await ctx.io.stdout(result.findings.map((f) => `${formatAnnotation(f, pathOf)}\n`).join(""));
  }
  ctx.log.info(checksSummary(result));
  return hasErrors(result.findings);
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
