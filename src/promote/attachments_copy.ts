/**
 * Step 4b of a promotion: carrying the attachment plan out, after the images. An attachment
 * goes only where its image arrived (or was already), and after what it is attached to; it is
 * copied as images are (exact bytes, blobs mounted or deduplicated, children first) by the
 * run's copier. Accumulator tags (cosign `.sig`/`.att`, referrers-schema `sha256-<hex>`) that
 * hold another version at the destination get the union of both (src/attach merges), written
 * only after the tag is read again and found unchanged; every other tag never moves. On a
 * destination without the referrers API, each subject's referrers-schema index is brought up
 * to date after its referrers are in place.
 */
import {
  isAccumulatorTag,
  mergeAccumulator,
  mergeReferrersIndex,
  referrersIndex,
  referrersTag,
} from "../attach/mod.ts";
import { describeError } from "../describe_error.ts";
import type { Backend, ManifestBytes } from "../registry/mod.ts";
import type { AttachmentAction, AttachmentPlan } from "./attachments.ts";
import { type Copier, CopyError, type Endpoint, TagMoveError } from "./copier.ts";
import type { ExecuteResult } from "./execute.ts";

/** How one attachment ended at one destination. */
export type AttachmentResult = "copied" | "merged" | "present" | "failed" | "refused";

/** The result of one attachment action. */
export interface AttachmentOutcome {
  result: AttachmentResult;
  error?: string;
}

/** A referrers-schema index brought up to date at a destination without the referrers API. */
export interface IndexUpdate {
  dst: string;
  image: string;
  subject: string;
  result: "copied" | "merged" | "present" | "failed";
  error?: string;
}

/** What copying the attachments did. */
export interface AttachmentRun {
  outcomes: Map<AttachmentAction, AttachmentOutcome>;
  indexes: IndexUpdate[];
}

/** What copying attachments needs: the backends by registry name and the run's copier. */
export interface AttachmentCopyOptions {
  backends: ReadonlyMap<string, Backend>;
  copier: Copier;
}

/** Reads a tag, then writes `m` under it only if it still names `expected`. */
async function replaceTag(to: Endpoint, tag: string, expected: string, m: ManifestBytes) {
  const now = await to.backend.headManifest(to.repo, tag);
  if (now?.digest !== expected) {
    throw new CopyError(
      `Cannot merge tag "${tag}" in ${to.backend.display}/${to.repo}: it changed while ` +
        "being merged; run again",
    );
  }
  await to.backend.putManifest(to.repo, tag, m, expected);
}

/** Copies or merges one cosign tag. */
async function copyTagged(
  copier: Copier,
  from: Endpoint,
  to: Endpoint,
  tag: string,
  digest: string,
): Promise<AttachmentResult> {
  const current = await to.backend.headManifest(to.repo, tag);
  if (current?.digest === digest) return "present";
  if (current === null) {
    await copier.ensureManifest(from, to, digest, true, tag);
    return "copied";
  }
  if (!isAccumulatorTag(tag)) {
    throw new TagMoveError(
      `Refusing to set tag "${tag}" in ${to.backend.display}/${to.repo} to ${digest}: it ` +
        `points at ${current.digest} now; only .sig and .att tags accumulate, others never move`,
    );
  }
  const source = await copier.readManifest(from, digest);
  const destination = await to.backend.getManifest(to.repo, tag);
  if (destination === null) throw new CopyError(`tag "${tag}" vanished while being merged`);
  const merged = mergeAccumulator(tag, source, destination);
  if (!merged.write) return "present";
  await Promise.all(merged.added.map((b) => copier.ensureBlob(from, to, b)));
  await replaceTag(to, tag, destination.digest, merged.manifest);
  return "merged";
}

/** Copies one referrer (by digest; its subject is in place already). */
async function copyReferrer(
  copier: Copier,
  from: Endpoint,
  to: Endpoint,
  digest: string,
): Promise<AttachmentResult> {
  if ((await to.backend.headManifest(to.repo, digest)) !== null) return "present";
  await copier.ensureManifest(from, to, digest, true);
  return "copied";
}

/** Writes the union of a subject's referrers into the destination's referrers-schema index. */
async function updateIndex(to: Endpoint, subject: string, done: AttachmentAction[]) {
  const tag = referrersTag(subject);
  const source = referrersIndex(done.map((a) => a.attachment.manifest));
  const destination = await to.backend.getManifest(to.repo, tag);
  const merged = mergeReferrersIndex(tag, source, destination);
  if (!merged.write) return "present";
  if (destination === null) {
    if ((await to.backend.headManifest(to.repo, tag)) !== null) {
      throw new CopyError(`tag "${tag}" appeared while being written; run again`);
    }
    await to.backend.putManifest(to.repo, tag, merged.manifest);
    return "copied";
  }
  await replaceTag(to, tag, destination.digest, merged.manifest);
  return "merged";
}

/**
 * Copies the planned attachments whose image is at its destination, depth by depth; never
 * throws for one that fails (see the outcomes). `images` is what the image copies did.
 */
export async function copyAttachments(
  plan: AttachmentPlan,
  images: ExecuteResult,
  options: AttachmentCopyOptions,
): Promise<AttachmentRun> {
  const { copier } = options;
  const endpoint = (registry: string, repo: string): Endpoint => {
    const backend = options.backends.get(registry);
    if (!backend) throw new Error(`attachments: no backend for registry ${registry}`);
    return { backend, repo };
  };
  const failedImages = new Set<string>();
  for (const [a, o] of images.outcomes) {
    if (!o.ok) failedImages.add(`${a.dst}\0${a.image}\0${a.digest}`);
  }
  const outcomes = new Map<AttachmentAction, AttachmentOutcome>();
  const failedAt = new Set<string>();
  const apiAt = new Map<string, Promise<boolean>>();
  const hasApi = (to: Endpoint, subject: string) => {
    let p = apiAt.get(to.backend.id);
    if (!p) {
      p = to.backend.listReferrers(to.repo, subject).then((r) => r !== null);
      apiAt.set(to.backend.id, p);
    }
    return p;
  };
  const indexes: IndexUpdate[] = [];
  const depths = [...new Set(plan.actions.map((a) => a.attachment.depth))].sort((x, y) => x - y);
  for (const depth of depths) {
    const level = plan.actions.filter((a) => a.attachment.depth === depth);
    await Promise.all(level.map(async (a) => {
      const at = `${a.dst}\0${a.image}\0`;
      if (a.decision === "conflict") {
        outcomes.set(a, { result: "refused", error: a.reason ?? "refused" });
        failedAt.add(at + a.attachment.manifest.digest);
        return;
      }
      const blocked = failedImages.has(at + a.root)
        ? `its image ${a.root} was not copied`
        : failedAt.has(at + a.attachment.subject)
        ? `what it is attached to, ${a.attachment.subject}, was not copied`
        : undefined;
      if (blocked !== undefined) {
        outcomes.set(a, { result: "failed", error: `Not copied: ${blocked}` });
        failedAt.add(at + a.attachment.manifest.digest);
        return;
      }
      const from = endpoint(a.src, a.srcRepo);
      const to = endpoint(a.dst, a.dstRepo);
      const digest = a.attachment.manifest.digest;
      try {
        const result = a.decision === "present"
          ? "present"
          : a.attachment.tag !== undefined
          ? await copyTagged(copier, from, to, a.attachment.tag, digest)
          : await copyReferrer(copier, from, to, digest);
        outcomes.set(a, { result });
      } catch (e) {
        outcomes.set(a, { result: "failed", error: describeError(e) });
        failedAt.add(at + digest);
      }
    }));
    const referrers = level.filter((a) =>
      a.attachment.tag === undefined && outcomes.get(a)?.result !== "failed"
    );
    const bySubject = Map.groupBy(
      referrers,
      (a) => `${a.dst}\0${a.dstRepo}\0${a.attachment.subject}`,
    );
    await Promise.all([...bySubject.values()].map(async (done) => {
      const first = done[0]!;
      const to = endpoint(first.dst, first.dstRepo);
      const update: IndexUpdate = {
        dst: first.dst,
        image: first.image,
        subject: first.attachment.subject,
        result: "present",
      };
      try {
        if (await hasApi(to, first.attachment.subject)) return;
        update.result = await updateIndex(to, first.attachment.subject, done);
      } catch (e) {
        update.result = "failed";
        update.error = describeError(e);
      }
      indexes.push(update);
    }));
  }
  return { outcomes, indexes };
}
