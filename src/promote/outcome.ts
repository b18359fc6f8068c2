/** The outcome of a promotion run per edge and per destination (pure). */
import type { LookupFailure } from "./complete.ts";
import type { ActionOutcome, ExecuteResult } from "./execute.ts";
import { type EdgeDecision, type ImageAction, type Plan, REFUSALS } from "./plan.ts";

/** How an edge ended. */
export type EdgeResult =
  | "present"
  | "missing"
  | "refused"
  /** Dry run: the copy or tag would be done. */
  | "planned"
  /** The run was executed but did not come to this edge's action. */
  | "not-run"
  | "copied"
  | "tagged"
  | "failed";

/** One edge with its decision and result. */
export interface EdgeOutcome {
  decision: EdgeDecision;
  result: EdgeResult;
  error?: string;
}

/** Counts for one destination registry. */
export interface DestinationCounts {
  /** Images (digests) copied, or to copy in a dry run. */
  copied: number;
  /** Tags added to digests that were already there (or to add). */
  tagged: number;
  /** Images whose every wanted tag was already in place. */
  present: number;
  /** Images found in neither the source nor the destination. */
  missing: number;
  /** Images whose copy or tagging failed. */
  failed: number;
  /** Edges refused (tag moves, writes into the source). */
  refused: number;
}

/** The whole outcome: per edge, per destination, and whether the run succeeded. */
export interface Outcome {
  executed: boolean;
  edges: EdgeOutcome[];
  destinations: Map<string, DestinationCounts>;
  /** Failed actions with their errors. */
  failures: { action: ImageAction; error: string }[];
  /** True when nothing was refused and nothing failed. */
  ok: boolean;
}

/** Combines a plan with what execution did (or `null` for a dry run / a run not executed). */
export function outcomeOf(plan: Plan, run: ExecuteResult | null, executed: boolean): Outcome {
  const actionOf = new Map<EdgeDecision, ImageAction>();
  for (const a of plan.actions) for (const d of a.edges) actionOf.set(d, a);
  const result = (a: ImageAction): ActionOutcome | undefined => run?.outcomes.get(a);

  const edges: EdgeOutcome[] = plan.decisions.map((d) => {
    if (REFUSALS.has(d.decision)) return { decision: d, result: "refused" };
    if (d.decision === "present" || d.decision === "missing") {
      return { decision: d, result: d.decision };
    }
    const action = actionOf.get(d);
    const r = action ? result(action) : undefined;
    if (!executed || !r) return { decision: d, result: executed ? "not-run" : "planned" };
    if (!r.ok) return { decision: d, result: "failed", error: r.error ?? "failed" };
    return { decision: d, result: d.decision === "copy" ? "copied" : "tagged" };
  });

  const destinations = new Map<string, DestinationCounts>();
  const counts = (dst: string) => {
    let c = destinations.get(dst);
    if (!c) {
      destinations.set(
        dst,
        c = { copied: 0, tagged: 0, present: 0, missing: 0, failed: 0, refused: 0 },
      );
    }
    return c;
  };
  const seen = { present: new Set<string>(), missing: new Set<string>() };
  for (const { decision: d } of edges) {
    const c = counts(d.edge.dst.name);
    const image = `${d.edge.dst.name}\0${d.edge.image}\0${d.edge.digest}`;
    if (REFUSALS.has(d.decision)) c.refused++;
    if (d.decision === "missing" && !seen.missing.has(image)) {
      seen.missing.add(image);
      c.missing++;
    }
    if (d.decision === "present" && !actionOf.has(d) && !seen.present.has(image)) {
      seen.present.add(image);
      c.present++;
    }
  }
  // A digest with an action is not "already present", even if some of its tags were.
  for (const a of plan.actions) {
    const image = `${a.dst}\0${a.image}\0${a.digest}`;
    if (seen.present.delete(image)) counts(a.dst).present--;
  }
  const failures: Outcome["failures"] = [];
  for (const a of plan.actions) {
    const c = counts(a.dst);
    const r = result(a);
    if (r && !r.ok) {
      c.failed++;
      failures.push({ action: a, error: r.error ?? "failed" });
    } else if (!executed || r) {
      if (a.kind === "copy") c.copied++;
      else c.tagged += a.tags.length;
    }
  }
  const ok = failures.length === 0 &&
    edges.every((e) => e.result !== "refused" && e.result !== "not-run");
  return { executed, edges, destinations, failures, ok };
}

/**
 * Whether a promotion succeeded (exit code 0): its outcome is ok and, in a dry run, every
 * lookup answered, since a dry run is the pre-submit test of what the run will do.
 */
export function promotionSucceeded(outcome: Outcome, lookups: readonly LookupFailure[]): boolean {
  return outcome.ok && (outcome.executed || lookups.length === 0);
}
