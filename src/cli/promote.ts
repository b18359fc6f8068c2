/**
 * `cip run` (the default mode): the flags become options, the manifests become edges, the
 * pre-submit step scopes and checks them, and the promotion pipeline (src/promote) does the
 * rest; its results become text on stdout and stderr, and the exit code.
 */
import { type Edge, edgesOf, loadManifests, type SkippedPart } from "../manifest/mod.ts";
import { readBase } from "../manifest/git_base/mod.ts";
import {
  attachmentErrors,
  attachmentsJson,
  attachmentsSucceeded,
  attachmentsText,
  attachmentSummaryLines,
  copySummary,
  failureErrors,
  lookupErrors,
  missingWarnings,
  type Plan,
  type Planned,
  planText,
  promote,
  type Promotion,
  refusalErrors,
  type RegistryAccess,
  registryAccess,
  reportJson,
  runNotes,
  scopeEdges,
  signaturesReport,
  signLines,
  type SignOptions,
  summaryLines,
  trustLines,
} from "../promote/mod.ts";
import { VERSION } from "../version.ts";
import { manifestInput, type RunContext } from "./context.ts";
import { checkChange, readPreSubmitFlags } from "./pre_submit.ts";
import { registriesFromFlags } from "./registries.ts";
import { checkReportTarget, writeReport } from "./report_file.ts";
import { failForSkipped, logSkipped } from "./skipped.ts";
import { checkTrustSettings, readTrustFlags } from "./signatures.ts";
import { readSignFlags } from "./sign_flags.ts";
import type { TrustSettings } from "../trust/mod.ts";

/**
 * Runs the promotion mode: manifests, edges, the pre-submit step (checks in dry runs, scoping
 * to a change when asked), then the promotion: the plan, and the copies with --confirm.
 */
export async function runPromote(ctx: RunContext): Promise<number> {
  const v = ctx.flags.values;
  const preSubmit = readPreSubmitFlags(ctx);
  const trust = await readTrustFlags(ctx);
  const registries = registriesFromFlags(ctx);
  const sign = readSignFlags(ctx, trust, registries);
  if (typeof v.report === "string") await checkReportTarget(v.report);
  const input = manifestInput(ctx.flags);
  const loaded = await loadManifests(input, ctx.log);
  const edgeSet = edgesOf(loaded);
  checkTrustSettings(loaded.manifests, trust);
  const skipped = loaded.problems.skipped;
  logSkipped(ctx, skipped);
  const dryRun = v.confirm !== true;
  const base = await readBase(input, preSubmit.request, { dryRun, skipped, log: ctx.log });
  const edges = scopeEdges(edgeSet.edges, base, ctx.log);
  const change = { manifests: loaded.manifests, edges: edgeSet, base };
  // The checks run once the plan is known: without a base, the checks that read registries
  // then read only what the promotion would copy (nothing in a run with nothing to copy).
  let checked: Promise<boolean> | undefined;
  const runChecks = (pending: Edge[]) =>
    checked ??= checkChange(
      ctx,
      preSubmit,
      change,
      (spec) => registries.open(spec.name, spec.serviceAccount),
      registries.reader,
      pending,
      trust,
    );
  let code: number;
  try {
    code = await promoteEdges(
      ctx,
      edges,
      registryAccess(registries),
      skipped,
      trust,
      sign,
      async ({ plan }) => void await runChecks(copiedEdges(plan)),
    );
  } catch (e) {
    // No plan (a registry could not be read): the checks still run, with nothing to copy.
    await runChecks([]);
    throw e;
  }
  const checksFailed = await runChecks([]);
  failForSkipped(ctx, skipped);
  return checksFailed || skipped.length > 0 ? Math.max(code, 1) : code;
}

/**
 * The edges the plan copies (their images are not in the destination yet), and those the trust
 * gate refused for their signatures, which the checks report on too.
 */
function copiedEdges(plan: Plan): Edge[] {
  return plan.decisions
    .filter((d) => d.decision === "copy" || d.decision === "untrusted")
    .map((d) => d.edge);
}

/**
 * Promotes `edges` as the flags say (`--confirm`, `--json-log-summary`, `--report`) and
 * returns the exit code. The parts of the manifests left out (`skipped`) are listed in the
 * JSON report; `trust` has the signature policies (trust gate) when the run has any.
 * `beforePlanText` runs once the plan is made, before it is printed.
 */
export async function promoteEdges(
  ctx: RunContext,
  edges: readonly Edge[],
  access: RegistryAccess,
  skipped: readonly SkippedPart[] = [],
  trust?: TrustSettings,
  sign?: SignOptions,
  beforePlanText?: (planned: Planned) => Promise<void>,
): Promise<number> {
  const { log, flags, io } = ctx;
  const confirm = flags.values.confirm === true;
  const json = flags.values["json-log-summary"] === true;
  const promotion = await promote(edges, access, {
    confirm,
    log,
    now: io.now,
    terminal: io.stderrIsTerminal,
    onPlan: async (planned) => {
      await beforePlanText?.(planned);
      await showPlan(ctx, planned, confirm, json);
    },
    attachments: flags.values["no-attachments"] !== true,
    ...(trust ? { trust } : {}),
    ...(sign ? { sign } : {}),
  });
  if (promotion.signing) {
    const { targets, result } = promotion.signing;
    for (const line of signLines(result, targets)) log.info(line);
    for (const line of result?.failures ?? []) log.error(line);
  }
  const warnings = [
    ...promotion.trust?.warnings ?? [],
    ...showOutcome(ctx, promotion, edges.length),
  ];
  if (json || flags.values.report !== undefined) {
    const text = reportJson(promotion.plan, promotion.outcome, {
      version: VERSION,
      ...(promotion.run ? { copy: promotion.run.stats } : {}),
      transport: access.stats?.(),
      ms: promotion.ms,
      warnings,
      skipped,
      ...(promotion.attachments
        ? {
          attachments: attachmentsJson(promotion.attachments, promotion.attached),
          attachmentsOk: attachmentsSucceeded(promotion.attachments, promotion.attached),
        }
        : {}),
      signatures: signaturesReport(promotion.trust, promotion.signing),
    });
    if (json) await io.stdout(text);
    if (typeof flags.values.report === "string") await writeReport(flags.values.report, text);
  }
  return promotion.ok ? 0 : 1;
}

/** Before anything is written: failed lookups, the plan (stdout), images found nowhere, refusals. */
async function showPlan(
  ctx: RunContext,
  { plan, lookups, attachments, trust }: Planned,
  confirm: boolean,
  json: boolean,
): Promise<void> {
  for (const line of lookupErrors(lookups, confirm)) ctx.log.error(line);
  for (const line of trustLines(trust)) ctx.log.info(line);
  for (const line of trust?.warnings ?? []) ctx.log.warn(line);
  if (!json) await ctx.io.stdout(planText(plan, confirm));
  if (!json && attachments) await ctx.io.stdout(attachmentsText(attachments));
  for (const line of missingWarnings(plan)) ctx.log.warn(line);
  for (const line of refusalErrors(plan)) ctx.log.error(line);
  for (const note of attachments?.notes ?? []) ctx.log.warn(`Attachments: ${note}`);
}

/** After the run: the summary per destination, what was copied, failures; returns the warnings. */
function showOutcome(ctx: RunContext, promotion: Promotion, edgeCount: number): string[] {
  const { log } = ctx;
  for (const line of summaryLines(promotion.outcome)) log.info(line);
  const { attachments, attached } = promotion;
  if (attachments) {
    for (const line of attachmentSummaryLines(attachments, attached)) log.info(line);
  }
  if (promotion.run) log.info(copySummary(promotion.run));
  for (const line of failureErrors(promotion.outcome)) log.error(line);
  if (attachments) { for (const line of attachmentErrors(attachments, attached)) log.error(line); }
  const notes = runNotes(edgeCount, promotion.outcome);
  if (notes.allDone) log.info(notes.allDone);
  for (const w of notes.warnings) log.warn(w);
  return notes.warnings;
}
