/** Text and JSON renderings of a plan and its outcome (pure). */
import type { CopyStats } from "./copier.ts";
import { isIndex } from "./manifest_refs.ts";
import type { Outcome } from "./outcome.ts";
import { type EdgeDecision, type Plan, REFUSALS } from "./plan.ts";
import { compareText } from "../compare_text.ts";
import type { SkippedPart } from "../manifest/mod.ts";

/** The plan as text, grouped by destination registry (what a dry run prints to stdout). */
export function planText(plan: Plan, confirm: boolean): string {
  const out: string[] = [
    confirm ? "Promotion plan:" : "Promotion plan (dry run; nothing is written without --confirm):",
  ];
  const groups = Map.groupBy(plan.decisions, (d) => d.edge.dst.name);
  const actionsOf = Map.groupBy(plan.actions, (a) => a.dst);
  for (const dst of [...groups.keys()].sort()) {
    const decisions = groups.get(dst) ?? [];
    const sources = [...new Set(decisions.map((d) => d.edge.src.name))].sort();
    out.push("", `${dst} (from ${sources.join(", ")}):`);
    const actions = actionsOf.get(dst) ?? [];
    const copies = actions.filter((a) => a.kind === "copy");
    const tags = actions.filter((a) => a.kind === "tag");
    if (copies.length > 0) out.push(`  to copy (${copies.length}):`);
    for (const a of copies) {
      const kind = a.mediaType ?? "media type unknown";
      const children = isIndex(a.mediaType) || a.children.length > 0
        ? `, ${a.children.length} children`
        : "";
      const t = a.tags.length > 0 ? `tags ${a.tags.join(", ")}` : "no tags";
      out.push(`    ${a.image}@${a.digest} ${t} (${kind}${children})`);
    }
    if (tags.length > 0) out.push(`  to tag (${tags.length}):`);
    for (const a of tags) out.push(`    ${a.image}@${a.digest} add ${a.tags.join(", ")}`);
    const acted = new Set(actions.map((a) => `${a.image}@${a.digest}`));
    const present = new Set(
      decisions.filter((d) => d.decision === "present").map((d) => imageKey(d))
        .filter((k) => !acted.has(k)),
    );
    out.push(`  already present: ${present.size}`);
    const missing = decisions.filter((d) => d.decision === "missing");
    const seen = new Set<string>();
    const lost = missing.filter((d) => !seen.has(imageKey(d)) && seen.add(imageKey(d)));
    if (lost.length > 0) out.push(`  not found in the source or the destination (${lost.length}):`);
    for (const d of lost) out.push(`    ${imageKey(d)} (${where(d)})`);
    const refused = decisions.filter((d) => REFUSALS.has(d.decision));
    if (refused.length > 0) out.push(`  refused (${refused.length}):`);
    for (const d of refused) {
      out.push(
        `    ${d.edge.image}:${d.edge.tag ?? "-"} -> ${d.edge.digest} (${where(d)}): ${d.reason}`,
      );
    }
  }
  return `${out.join("\n")}\n`;
}

/** The per-destination summary lines (for stderr). */
export function summaryLines(outcome: Outcome): string[] {
  const verb = outcome.executed ? "" : " (dry run)";
  const lines: string[] = [];
  for (const dst of [...outcome.destinations.keys()].sort()) {
    const c = outcome.destinations.get(dst);
    if (!c) continue;
    lines.push(
      `${dst}${verb}: ${c.copied} ${outcome.executed ? "copied" : "to copy"}, ` +
        `${c.tagged} ${outcome.executed ? "tags added" : "tags to add"}, ` +
        `${c.present} already present, ${c.missing} not found, ${c.failed} failed, ` +
        `${c.refused} refused`,
    );
  }
  return lines;
}

/** Everything a JSON report holds besides the plan and outcome. */
export interface ReportExtras {
  version: string;
  /** Copy counts (only when executed). */
  copy?: CopyStats;
  /** The transport's request and byte counts, when available. */
  transport?: unknown;
  /** Wall time in milliseconds. */
  ms?: number;
  warnings: string[];
  /** The parts of the manifests left out of the run because of their problems. */
  skipped?: readonly SkippedPart[];
  /** The attachments (attachmentsJson), when they travel with the images. */
  attachments?: unknown;
  /** False when an attachment failed or was refused. */
  attachmentsOk?: boolean;
  /** What the trust gate and the sign step found, when the run had either (trust_gate.ts). */
  signatures?: unknown;
}

/**
 * The JSON report: the whole plan and outcome, one record per edge that has something to do
 * or could not be done. Edges already present are only counted (per destination, under
 * `destinations`): the report of a daily run grows with its work, not with the manifests.
 */
export function reportJson(plan: Plan, outcome: Outcome, extras: ReportExtras): string {
  const actionResults = new Map(
    outcome.failures.map((f) => [f.action, f.error] as const),
  );
  const doc = {
    cip: extras.version,
    mode: outcome.executed ? "confirm" : "dry-run",
    ok: outcome.ok && !extras.skipped?.length && extras.attachmentsOk !== false,
    destinations: Object.fromEntries(
      [...outcome.destinations].sort(([a], [b]) => compareText(a, b)),
    ),
    edges: outcome.edges.filter((e) => e.result !== "present").map((e) => ({
      manifest: e.decision.edge.manifest.file,
      file: e.decision.edge.pos.file,
      line: e.decision.edge.pos.line,
      source: e.decision.edge.src.name,
      destination: e.decision.edge.dst.name,
      image: e.decision.edge.image,
      digest: e.decision.edge.digest,
      tag: e.decision.edge.tag,
      decision: e.decision.decision,
      ...(e.decision.current ? { current: e.decision.current } : {}),
      ...(e.decision.reason ? { reason: e.decision.reason } : {}),
      result: e.result,
      error: e.error ?? null,
    })),
    actions: plan.actions.map((a) => ({
      kind: a.kind,
      source: `${a.src}/${a.image}`,
      destination: `${a.dst}/${a.image}`,
      digest: a.digest,
      tags: a.tags,
      mediaType: a.mediaType ?? null,
      children: a.children.length,
      error: actionResults.get(a) ?? null,
    })),
    warnings: extras.warnings,
    skipped: (extras.skipped ?? []).map((p) => ({
      kind: p.kind,
      name: p.name,
      file: p.pos.file,
      line: p.pos.line,
      problems: p.problems.map((e) => e.message),
    })),
    attachments: extras.attachments ?? null,
    copy: extras.copy ?? null,
    transport: extras.transport ?? null,
    ...(extras.signatures !== undefined ? { signatures: extras.signatures } : {}),
    ms: extras.ms ?? null,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function imageKey(d: EdgeDecision): string {
  return `${d.edge.image}@${d.edge.digest}`;
}

function where(d: Pick<EdgeDecision, "edge">): string {
  return `${d.edge.pos.file}:${d.edge.pos.line}`;
}
