/**
 * The pre-submit step: choosing checks by name, and running them over a change independently
 * of one another.
 */
import { changedEdges, type Edge, type EdgeSet, type Manifest } from "../manifest/mod.ts";
import type { BaseState } from "../manifest/git_base/mod.ts";
import type { Check, CheckContext, Finding, RegistryOpener } from "./check.ts";
import type { ContentReader } from "../registry/mod.ts";
import { describeError } from "../describe_error.ts";
import type { TrustSettings } from "../trust/mod.ts";

/** A finding with the name of the check that reported it. */
export interface ReportedFinding extends Finding {
  check: string;
}

/** The outcome of running checks: their findings, and the checks that did not apply. */
export interface ChecksResult {
  findings: ReportedFinding[];
  /** Names of the checks that ran. */
  ran: string[];
  /** Checks whose conditions did not hold, and what they needed. */
  skipped: { check: string; needs: string }[];
}

/** The checks `--checks` and `--skip-checks` leave, and any names neither list knows. */
export interface Selection {
  checks: Check[];
  unknown: string[];
}

/**
 * Picks checks: only those named in `only` (when given; else all but the opt-in ones), minus
 * those in `skip`.
 */
export function selectChecks(
  all: readonly Check[],
  only: readonly string[] | undefined,
  skip: readonly string[] = [],
): Selection {
  const names = new Set(all.map((c) => c.name));
  const unknown = [...(only ?? []), ...skip].filter((n) => !names.has(n));
  const keep = only ? new Set(only) : new Set(all.filter((c) => !c.optIn).map((c) => c.name));
  const drop = new Set(skip);
  return {
    checks: all.filter((c) => keep.has(c.name) && !drop.has(c.name)),
    unknown: [...new Set(unknown)],
  };
}

/** Splits a `--checks=a,b` value into names; empty items are ignored. */
export function parseCheckList(value: string): string[] {
  return value.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * Runs every check whose conditions hold, concurrently and independently: a check that
 * throws reports one error finding and the others still run. Findings keep the checks' order.
 */
async function runChecks(
  checks: readonly Check[],
  ctx: CheckContext,
): Promise<ChecksResult> {
  const skipped: ChecksResult["skipped"] = [];
  const running: { check: Check; result: Promise<Finding[]> }[] = [];
  for (const check of checks) {
    const unmet = check.when.find((c) => !c.holds(ctx));
    if (unmet) {
      skipped.push({ check: check.name, needs: unmet.describe });
      continue;
    }
    running.push({ check, result: runOne(check, ctx) });
  }
  const findings: ReportedFinding[] = [];
  for (const { check, result } of running) {
    for (const f of await result) findings.push({ ...f, check: check.name });
  }
  return { findings, ran: running.map((r) => r.check.name), skipped };
}

/** Runs one check, turning a failure into an error finding. */
async function runOne(check: Check, ctx: CheckContext): Promise<Finding[]> {
  try {
    return await check.run(ctx);
  } catch (e) {
    return [{ severity: "error", message: `the check could not run: ${describeError(e)}` }];
  }
}

/** Whether any finding is an error (the run then exits 1). */
export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === "error");
}

/** What the pre-submit checks look at: the head, its base when known, and registry access. */
export interface PreSubmitInput {
  checks: readonly Check[];
  /** The manifests as the change leaves them (the head). */
  manifests: Manifest[];
  /** The head's edges. */
  edges: EdgeSet;
  /** The manifests at the git base, when a base is known. */
  base?: BaseState;
  /**
   * Without a base: the head edges the promotion would copy (what the plan did not find in
   * the destinations), so a run whose destinations hold everything reads no source. Ignored
   * when a base is known; every head edge when absent.
   */
  pending?: Edge[];
  /** Opens registries for the checks that read them; without it those checks are skipped. */
  openRegistry?: RegistryOpener;
  /** The run's reader of registry contents, shared by the checks and the promotion. */
  reader?: ContentReader;
  /** The largest image the image-size check allows, in bytes. */
  maxImageSizeBytes: number;
  /** Debug detail from checks goes here (never findings). */
  debug: (message: string) => void;
  /** The run's signature policies and trusted root, for the signatures check. */
  trust?: TrustSettings;
}

/**
 * Runs the pre-submit checks over a change: the checks that read registries look only at what
 * the change adds or changes when its base is known (changedEdges), otherwise at what the
 * promotion would copy (`pending`), or at everything when that is not known.
 */
export async function runPreSubmit(input: PreSubmitInput): Promise<ChecksResult> {
  const head = input.edges.edges;
  const ctx: CheckContext = {
    manifests: input.manifests,
    edges: input.edges,
    changed: input.base ? changedEdges(head, input.base.edges.edges) : input.pending ?? head,
    maxImageSizeBytes: input.maxImageSizeBytes,
    debug: input.debug,
    ...(input.base ? { base: input.base } : {}),
    ...(input.openRegistry ? { openRegistry: input.openRegistry } : {}),
    ...(input.reader ? { reader: input.reader } : {}),
    ...(input.trust ? { trust: input.trust } : {}),
  };
  return await runChecks(input.checks, ctx);
}
