/**
 * One promotion, end to end: open the registries the edges name, take the inventory of what
 * they hold, plan (every decision is made there), execute the plan when confirmed, and sum up
 * the outcome. Which edges to promote is decided before (scope.ts); how the results read is
 * decided after (report.ts, log_lines.ts), by the command line.
 */
import type { Logger } from "../log.ts";
import type { Edge } from "../manifest/mod.ts";
import { PromoteSetupError, type RegistryAccess } from "./access.ts";
import { type AttachmentPlan, planAttachments } from "./attachments.ts";
import { type AttachmentRun, copyAttachments } from "./attachments_copy.ts";
import { attachmentsSucceeded } from "./attachments_report.ts";
import { Copier } from "./copier.ts";
import type { LookupFailure } from "./complete.ts";
import { ContentReader } from "../registry/mod.ts";
import { execute, type ExecuteResult } from "./execute.ts";
import { type Holdings, takeInventory } from "./inventory.ts";
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
  /** Whether signatures, attestations and SBOMs travel with their images (default true). */
  attachments?: boolean;
  /** The signature policies: copies of images that fail a `require` policy are refused. */
  trust?: TrustSettings;
  /** Sign what was promoted (`--sign`; a dry run only lists it): sign_step.ts. */
  sign?: SignOptions;
}

/** A plan and the lookups that failed while it was made. */
export interface Planned {
  plan: Plan;
  lookups: LookupFailure[];
  /** What is attached to the promoted images and what each destination needs; null when off. */
  attachments: AttachmentPlan | null;
  /** What the trust gate found, when the run has signature policies (trust_gate.ts). */
  trust?: TrustGateResult;
}

/** Everything a promotion did, for the command line to report. */
export interface Promotion extends Planned {
  /** What execution did; null in a dry run. */
  run: ExecuteResult | null;
  /** What copying the attachments did; null in a dry run or when attachments are off. */
  attached: AttachmentRun | null;
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
  const attachments = options.attachments === false
    ? null
    : await planAttachments(decided, registries, inventories, reader);
  const planned: Planned = trust
    ? { plan: decided, lookups, attachments, trust }
    : { plan: decided, lookups, attachments };
  await options.onPlan?.(planned);
  const run = options.confirm
    ? await executeConfirmed(decided, attachments, registries, access, reader, inventories, options)
    : null;
  const outcome = outcomeOf(decided, run?.images ?? null, options.confirm);
  const attached = run?.attached ?? null;
  const signing = options.sign &&
    await signStep(outcome, registries, reader, options.sign, options.confirm);
  const ok = promotionSucceeded(outcome, lookups) && attachmentsSucceeded(attachments, attached) &&
    !signing?.result?.failures.length;
  const done = {
    ...planned,
    run: run?.images ?? null,
    attached,
    outcome,
    ok,
    ms: options.now() - started,
  };
  return signing ? { ...done, signing } : done;
}

/**
 * Step 4: checks that every registry's credentials can be obtained (when there is anything
 * to write), then copies and tags, then copies the attachments; the manifests read while
 * planning are not read again.
 */
async function executeConfirmed(
  p: Plan,
  attachments: AttachmentPlan | null,
  registries: PromotionRegistries,
  access: RegistryAccess,
  reader: ContentReader,
  inventories: Holdings["inventories"],
  options: PromoteOptions,
): Promise<{ images: ExecuteResult; attached: AttachmentRun | null }> {
  const attaching = attachments?.actions.some((a) => a.decision !== "present") ?? false;
  if ((p.actions.length > 0 || attaching) && access.verifyCredentials) {
    try {
      await access.verifyCredentials();
    } catch (e) {
      throw new PromoteSetupError("Cannot promote: credentials are missing", { cause: e });
    }
  }
  const copierOptions = { reader, ...(access.policy ? { policy: access.policy } : {}) };
  const images = await execute(p, {
    backends: registries.backends,
    log: options.log,
    terminal: options.terminal,
    now: options.now,
    inventories,
    copier: copierOptions,
  });
  if (attachments === null) return { images, attached: null };
  const copier = new Copier(copierOptions);
  const attached = await copyAttachments(attachments, images, {
    backends: registries.backends,
    copier,
  });
  await copier.settled();
  return { images, attached };
}
