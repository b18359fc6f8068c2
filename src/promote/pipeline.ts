/**
 * One promotion, end to end: open the registries the edges name, take the inventory of what
 * they hold, plan (every decision is made there), execute the plan when confirmed, and sum up
 * the outcome. Which edges to promote is decided before (scope.ts); how the results read is
 * decided after (report.ts, log_lines.ts), by the command line.
 */
import type { Logger } from "../log.ts";
import type { Edge } from "../manifest/mod.ts";
import { PromoteSetupError, type RegistryAccess } from "./access.ts";
import type { LookupFailure } from "./complete.ts";
import { ContentReader } from "../registry/mod.ts";
import { execute, type ExecuteResult } from "./execute.ts";
import { takeInventory } from "./inventory.ts";
import { openRegistries, type PromotionRegistries } from "./open.ts";
import { type Outcome, outcomeOf, promotionSucceeded } from "./outcome.ts";
import { type Plan, plan } from "./plan.ts";
import type { TrustSettings } from "../trust/mod.ts";
import { trustGate, type TrustGateResult } from "./trust_gate.ts";
import { type Signing, type SignOptions, signStep } from "./sign_step.ts";

/** How to promote: for real or as a dry run, and where progress and the plan go. */
export interface PromoteOptions {
  /** Write (true), or only plan (false: a dry run). */
  confirm: boolean;
  log: Logger;
  now: () => number;
  /** Whether stderr is a terminal: one updating progress line instead of a line per image. */
  terminal: boolean;
  /** Called with the plan before anything is written (the command line prints it here). */
  onPlan?: (planned: Planned) => Promise<void>;
  /** The signature policies: copies of images that fail a `require` policy are refused. */
  trust?: TrustSettings;
  /** Sign what was promoted (`--sign`; a dry run only lists it): sign_step.ts. */
  sign?: SignOptions;
}

/** A plan and the lookups that failed while it was made. */
export interface Planned {
  plan: Plan;
  lookups: LookupFailure[];
  /** What the trust gate found, when the run has signature policies (trust_gate.ts). */
  trust?: TrustGateResult;
}

/** Everything a promotion did, for the command line to report. */
export interface Promotion extends Planned {
  /** What execution did; null in a dry run. */
  run: ExecuteResult | null;
  outcome: Outcome;
  /** What the sign step did, when asked to sign. */
  signing?: Signing;
  /** Whether the run succeeded (see promotionSucceeded). */
  ok: boolean;
  /** Wall time in milliseconds. */
  ms: number;
}

/**
 * Promotes the edges: open -> inventory -> plan (and the trust gate, with `trust`) -> execute
 * (with `confirm`) -> outcome (-> signing, with `sign`). Throws
 * PromoteSetupError when a registry cannot be opened or read, or (before the first copy) its
 * credentials obtained; a failed image never throws: it is in the outcome.
 */
export async function promote(
  edges: readonly Edge[],
  access: RegistryAccess,
  options: PromoteOptions,
): Promise<Promotion> {
  const started = options.now();
  const registries = await openRegistries(edges, access);
  const reader = access.reader ?? new ContentReader();
  const { inventories, lookups } = await takeInventory(edges, registries, access, reader);
  let decided = plan({ edges, locations: registries.locations, inventories, lookups });
  const trust = options.trust && await trustGate(decided, registries, options.trust, reader);
  if (trust) decided = trust.plan;
  const planned: Planned = trust ? { plan: decided, lookups, trust } : { plan: decided, lookups };
  await options.onPlan?.(planned);
  const run = options.confirm
    ? await executeConfirmed(decided, registries, access, reader, options)
    : null;
  const outcome = outcomeOf(decided, run, options.confirm);
  const signing = options.sign &&
    await signStep(outcome, registries, reader, options.sign, options.confirm);
  const ok = promotionSucceeded(outcome, lookups) && !signing?.result?.failures.length;
  const done = { ...planned, run, outcome, ok, ms: options.now() - started };
  return signing ? { ...done, signing } : done;
}

/**
 * Step 4: checks that every registry's credentials can be obtained (when there is anything
 * to write), then copies and tags; the manifests read while planning are not read again.
 */
async function executeConfirmed(
  p: Plan,
  registries: PromotionRegistries,
  access: RegistryAccess,
  reader: ContentReader,
  options: PromoteOptions,
): Promise<ExecuteResult> {
  if (p.actions.length > 0 && access.verifyCredentials) {
    try {
      await access.verifyCredentials();
    } catch (e) {
      throw new PromoteSetupError("Cannot promote: credentials are missing", { cause: e });
    }
  }
  return await execute(p, {
    backends: registries.backends,
    log: options.log,
    terminal: options.terminal,
    now: options.now,
    copier: { reader, ...(access.policy ? { policy: access.policy } : {}) },
  });
}
