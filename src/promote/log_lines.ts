/**
 * What a promotion tells on stderr, as lines (pure): lookups that failed, images found
 * nowhere, refusals, failures, what the copies moved, and the warnings about a run that
 * promoted nothing. The command line chooses the level of each and writes them.
 */
import { describeError } from "../describe_error.ts";
import type { LookupFailure } from "./complete.ts";
import type { ExecuteResult } from "./execute.ts";
import type { Outcome } from "./outcome.ts";
import type { EdgeDecision, Plan } from "./plan.ts";

/** One error line per failed lookup; in a dry run it says that the dry run fails. */
export function lookupErrors(lookups: readonly LookupFailure[], confirm: boolean): string[] {
  return lookups.map((f) =>
    `Cannot look up ${f.registry}/${f.image}@${f.digest}: ${describeError(f.error)}` +
    (confirm ? "" : " (the dry run fails)")
  );
}

/** One warning per image in neither its source nor any of its destinations. */
export function missingWarnings(plan: Plan): string[] {
  const lost = new Map<string, { d: EdgeDecision; dsts: Set<string> }>();
  for (const d of plan.decisions) {
    if (d.decision !== "missing") continue;
    const k = `${d.edge.src.name}\0${d.edge.image}\0${d.edge.digest}`;
    const entry = lost.get(k) ?? { d, dsts: new Set<string>() };
    entry.dsts.add(d.edge.dst.name);
    lost.set(k, entry);
  }
  return [...lost.values()].map(({ d, dsts }) =>
    `${d.edge.image}@${d.edge.digest} (${d.edge.pos.file}:${d.edge.pos.line}) is in ` +
    `neither ${d.edge.src.name} nor ${[...dsts].join(", ")}; it cannot be promoted`
  );
}

/** One error line per refused edge, with the reason. */
export function refusalErrors(plan: Plan): string[] {
  return plan.decisions.filter((d) => d.reason && d.decision !== "missing").map((d) =>
    `Refusing ${d.edge.dst.name}/${d.edge.image}:${d.edge.tag ?? d.edge.digest}: ${d.reason}`
  );
}

/** One error line per failed image, with its cause. */
export function failureErrors(outcome: Outcome): string[] {
  return outcome.failures.map((f) =>
    `Failed ${f.action.dst}/${f.action.image}@${f.action.digest}: ${f.error}`
  );
}

/** One line on what the copies moved: blobs streamed, mounted, found, manifests stored. */
export function copySummary(run: ExecuteResult): string {
  const s = run.stats;
  const mib = (s.bytesStreamed / 1048576).toFixed(1);
  return `copied ${s.blobsStreamed} blobs (${mib} MiB), mounted ${s.blobsMounted}, ` +
    `${s.blobsPresent} already there; stored ${s.manifestsPut} manifests and ` +
    `${s.tagsPut} more tags in ${(run.ms / 1000).toFixed(1)}s`;
}

/** What to say about a run as a whole: warnings when it promoted nothing, or that all was done. */
export interface RunNotes {
  /** Warnings (also listed in the JSON report). */
  warnings: string[];
  /** An info line when every edge was already promoted. */
  allDone?: string;
}

/** The notes on a run of `edgeCount` edges: nothing to promote, nothing promoted, or all done. */
export function runNotes(edgeCount: number, outcome: Outcome): RunNotes {
  const useful = outcome.edges.some((e) =>
    ["present", "planned", "copied", "tagged"].includes(e.result)
  );
  if (edgeCount > 0 && !useful) {
    return {
      warnings: [
        `nothing was promoted although the manifests name ${edgeCount} edges: ` +
        "every image was missing, refused or failed",
      ],
    };
  }
  if (edgeCount === 0) return { warnings: ["the manifests name no images: nothing to promote"] };
  if (outcome.edges.every((e) => e.result === "present")) {
    return { warnings: [], allDone: `nothing to do: all ${edgeCount} edges are already promoted` };
  }
  return { warnings: [] };
}
