/** Text and JSON renderings of what a run attached, and whether that succeeded (pure). */
import { ATTACHMENT_KINDS, type AttachmentKind } from "../attach/mod.ts";
import { compareText } from "../compare_text.ts";
import type { AttachmentAction, AttachmentPlan } from "./attachments.ts";
import type { AttachmentRun } from "./attachments_copy.ts";

/** Attachment counts for one destination registry. */
export interface AttachmentCounts {
  /** Copied (to copy, in a dry run). */
  copied: number;
  /** Accumulator tags merged with the destination's version (to merge, in a dry run). */
  merged: number;
  present: number;
  failed: number;
  /** Tags that would move (non-accumulating tags holding another digest). */
  refused: number;
  /** Referrers-schema indexes written at destinations without the referrers API. */
  indexes: number;
}

/** How an action ended, or is planned to end in a dry run. */
function resultOf(a: AttachmentAction, run: AttachmentRun | null) {
  const o = run?.outcomes.get(a);
  if (o !== undefined) return o;
  if (a.decision === "conflict") return { result: "refused" as const, error: a.reason };
  if (a.decision === "merge") return { result: "merged" as const };
  return { result: a.decision === "present" ? "present" as const : "copied" as const };
}

/** The counts per destination registry. */
export function attachmentCounts(
  plan: AttachmentPlan,
  run: AttachmentRun | null,
): Map<string, AttachmentCounts> {
  const out = new Map<string, AttachmentCounts>();
  const counts = (dst: string) => {
    let c = out.get(dst);
    if (!c) {
      out.set(dst, c = { copied: 0, merged: 0, present: 0, failed: 0, refused: 0, indexes: 0 });
    }
    return c;
  };
  for (const a of plan.actions) counts(a.dst)[resultOf(a, run).result]++;
  for (const u of run?.indexes ?? []) {
    const c = counts(u.dst);
    if (u.result === "failed") c.failed++;
    else if (u.result !== "present") c.indexes++;
  }
  return out;
}

/** Whether the attachments went (or, in a dry run, can go) as they should. */
export function attachmentsSucceeded(
  plan: AttachmentPlan | null,
  run: AttachmentRun | null,
): boolean {
  if (plan === null) return true;
  if (plan.failures.length > 0) return false;
  return [...attachmentCounts(plan, run).values()].every((c) => c.failed + c.refused === 0);
}

function kindsText(actions: readonly AttachmentAction[]): string {
  const n = new Map<AttachmentKind, number>();
  for (const a of actions) n.set(a.attachment.kind, (n.get(a.attachment.kind) ?? 0) + 1);
  return ATTACHMENT_KINDS.filter((k) => n.has(k)).map((k) => {
    const count = n.get(k)!;
    const word = k === "sbom" ? "SBOM" : k === "other" ? "other artifact" : k;
    return `${count} ${word}${count === 1 ? "" : "s"}`;
  }).join(", ");
}

/** The attachments of the plan per destination image, kind and count (stdout, with the plan). */
export function attachmentsText(plan: AttachmentPlan): string {
  const out: string[] = [];
  const byImage = Map.groupBy(plan.actions, (a) => `${a.dst}/${a.image}@${a.root}`);
  for (const key of [...byImage.keys()].sort(compareText)) {
    const actions = byImage.get(key)!;
    const d = Map.groupBy(actions, (a) => a.decision);
    const parts = [
      ["copy", "to copy"],
      ["merge", "to merge"],
      ["present", "present"],
      ["conflict", "refused"],
    ].flatMap(([k, w]) => {
      const n = d.get(k as AttachmentAction["decision"])?.length ?? 0;
      return n > 0 ? [`${n} ${w}`] : [];
    });
    out.push(`  ${key}: ${kindsText(actions)} (${parts.join(", ")})`);
  }
  for (const f of plan.failures) {
    out.push(`  ${f.src}/${f.image}: attachments unknown: ${f.error}`);
  }
  if (out.length === 0) return "";
  return `\nAttachments (signatures, attestations, SBOMs) travelling with their images:\n${
    out.join("\n")
  }\n`;
}

/** The per-destination summary lines of attachments (stderr). */
export function attachmentSummaryLines(
  plan: AttachmentPlan,
  run: AttachmentRun | null,
): string[] {
  const done = run !== null;
  return [...attachmentCounts(plan, run)].sort(([a], [b]) => compareText(a, b)).map(
    ([dst, c]) =>
      `${dst}${done ? "" : " (dry run)"}: attachments ${c.copied} ${
        done ? "copied" : "to copy"
      }, ${c.merged} ${done ? "merged" : "to merge"}, ${c.present} already present, ` +
      `${c.failed} failed, ${c.refused} refused` +
      (done ? `, ${c.indexes} referrers indexes written` : ""),
  );
}

/** The errors of attachments: discovery failures, refusals, failed copies (stderr). */
export function attachmentErrors(plan: AttachmentPlan, run: AttachmentRun | null): string[] {
  const lines = plan.failures.map((f) =>
    `Cannot find what is attached to ${f.src}/${f.image}: ${f.error}`
  );
  for (const a of plan.actions) {
    const r = resultOf(a, run);
    if (r.result !== "failed" && r.result !== "refused") continue;
    lines.push(
      `${r.result === "refused" ? "Refused" : "Failed"} ${a.attachment.kind} ` +
        `${a.attachment.tag ?? a.attachment.manifest.digest} of ${a.dst}/${a.image}@${a.root}: ` +
        (r.error ?? r.result),
    );
  }
  for (const u of run?.indexes ?? []) {
    if (u.result === "failed") {
      lines.push(`Failed the referrers index of ${u.dst}/${u.image}@${u.subject}: ${u.error}`);
    }
  }
  return lines;
}

/** The attachments as the JSON report holds them. */
export function attachmentsJson(plan: AttachmentPlan, run: AttachmentRun | null): unknown {
  return {
    destinations: Object.fromEntries(
      [...attachmentCounts(plan, run)].sort(([a], [b]) => compareText(a, b)),
    ),
    actions: plan.actions.map((a) => {
      const r = resultOf(a, run);
      return {
        source: `${a.src}/${a.image}`,
        destination: `${a.dst}/${a.image}`,
        image: a.root,
        subject: a.attachment.subject,
        kind: a.attachment.kind,
        via: a.attachment.via,
        tag: a.attachment.tag ?? null,
        digest: a.attachment.manifest.digest,
        mediaType: a.attachment.manifest.mediaType,
        artifactType: a.attachment.manifest.artifactType ?? null,
        decision: a.decision,
        result: run === null ? "planned" : r.result,
        error: r.error ?? null,
      };
    }),
    indexes: (run?.indexes ?? []).map((u) => ({
      destination: `${u.dst}/${u.image}`,
      subject: u.subject,
      result: u.result,
      error: u.error ?? null,
    })),
    failures: plan.failures.map((f) => ({
      source: `${f.src}/${f.image}`,
      digests: f.digests,
      error: f.error,
    })),
    notes: plan.notes,
  };
}
