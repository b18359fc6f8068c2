/**
 * The trust gate: between the plan and the copies, every image the plan would copy is checked
 * against the signature policy of the manifest that promotes it (src/trust). Under `require` an
 * image whose signatures do not count is refused (its edges become `untrusted` refusals, and the
 * run fails like a tag move) and the rest is promoted; under `warn` it is only reported; under
 * `off` signatures are not read. Images that are only tagged (already in the destination) are
 * not gated: nothing of theirs is copied.
 */
import { compareText } from "../compare_text.ts";
import type { ContentReader } from "../registry/mod.ts";
import type { TrustPolicy, Verified } from "../sigstore/mod.ts";
import {
  type ImageTrust,
  policyOf,
  trustProblem,
  type TrustSettings,
  verifyImageOrIndex,
} from "../trust/mod.ts";
import type { PromotionRegistries } from "./open.ts";
import type { EdgeDecision, ImageAction, Plan } from "./plan.ts";
import type { SignResult } from "./sign_step.ts";

/** One source image the gate looked at, under one policy. */
export interface GatedImage {
  /** `src-registry/image@digest` as the manifests name it. */
  image: string;
  /** The policy applied. */
  policy: TrustPolicy;
  /** The manifest files whose edges it serves. */
  manifests: string[];
  /** The signer whose signature counted, if one did. */
  verified?: Verified["identity"];
  /** The index whose signature covers this image (one of its children), if that is how. */
  via?: string;
  /** Why it does not satisfy the policy, if it does not. */
  problem?: string;
}

/** What the gate did: the plan without the refused copies, and what it found. */
export interface TrustGateResult {
  plan: Plan;
  /** Every image verified, sorted by name. */
  images: GatedImage[];
  /** One line per image that failed a `warn` policy (it is promoted anyway). */
  warnings: string[];
}

/** The key of one verification: the source image and the identities that count. */
function keyOf(action: ImageAction, policy: TrustPolicy): string {
  return `${action.src}\0${action.srcRepo}\0${action.digest}\0${JSON.stringify(policy.identities)}`;
}

/**
 * Applies the signature policies to the copies of `p`; reads signatures from the sources
 * through `reader`. Never throws for what a registry holds: an image whose signatures cannot be
 * read fails its policy.
 */
export async function trustGate(
  p: Plan,
  registries: PromotionRegistries,
  settings: TrustSettings,
  reader: ContentReader,
): Promise<TrustGateResult> {
  const checks = new Map<string, { image: GatedImage; result?: Promise<ImageTrust> }>();
  const edgeKeys = new Map<EdgeDecision, string>();
  // The indexes the plan promotes from each source repository: a child is covered by them.
  const indexes = new Map<string, Set<string>>();
  for (const a of p.actions) {
    if (a.children.length === 0) continue;
    const repo = `${a.src}\0${a.srcRepo}`;
    indexes.set(repo, (indexes.get(repo) ?? new Set()).add(a.digest));
  }
  for (const a of p.actions) {
    if (a.kind !== "copy") continue;
    for (const d of a.edges) {
      const policy = policyOf(d.edge.manifest, settings.run);
      if (policy.mode === "off") continue;
      if (!settings.root) {
        throw new TypeError(
          `trustGate: the signature policy of ${d.edge.manifest.file} is ${policy.mode} but ` +
            "there is no trusted root (trustSettingsProblems says so before a run)",
        );
      }
      const key = keyOf(a, policy);
      edgeKeys.set(d, key);
      let check = checks.get(key);
      if (!check) {
        const image = { image: `${a.src}/${a.image}@${a.digest}`, policy, manifests: [] };
        check = { image };
        const backend = registries.backends.get(a.src)!;
        check.result = verifyImageOrIndex(
          { backend, repo: a.srcRepo, digest: a.digest },
          [...indexes.get(`${a.src}\0${a.srcRepo}`) ?? []],
          policy,
          settings.root!,
          reader,
          settings.done,
        );
        checks.set(key, check);
      } else if (policy.mode === "require") check.image.policy = policy;
      if (!check.image.manifests.includes(d.edge.manifest.file)) {
        check.image.manifests.push(d.edge.manifest.file);
      }
    }
  }
  for (const check of checks.values()) {
    const t: ImageTrust & { via?: string } = await check.result!;
    const problem = trustProblem(t);
    if (problem === null) check.image.verified = t.verified!.identity;
    else check.image.problem = problem;
    if (t.via !== undefined) check.image.via = t.via;
  }
  const replaced = new Map<EdgeDecision, EdgeDecision>();
  const warned = new Set<string>();
  const warnings: string[] = [];
  for (const [d, key] of edgeKeys) {
    const { image } = checks.get(key)!;
    if (image.problem === undefined) continue;
    const policy = policyOf(d.edge.manifest, settings.run);
    const why = `${image.image} fails the signature policy of ${d.edge.manifest.file} ` +
      `(${policy.mode}): ${image.problem}`;
    if (policy.mode === "require") {
      replaced.set(d, { edge: d.edge, decision: "untrusted", reason: why });
    } else if (!warned.has(why)) {
      warned.add(why);
      warnings.push(`${why}; promoted anyway`);
    }
  }
  const images = [...checks.values()].map((c) => c.image)
    .sort((a, b) => compareText(a.image, b.image));
  return { plan: withoutRefused(p, replaced), images, warnings };
}

/** The plan with the `replaced` decisions, and its actions without the edges they refuse. */
function withoutRefused(p: Plan, replaced: ReadonlyMap<EdgeDecision, EdgeDecision>): Plan {
  if (replaced.size === 0) return p;
  const decisions = p.decisions.map((d) => replaced.get(d) ?? d);
  const actions: ImageAction[] = [];
  for (const a of p.actions) {
    const edges = a.edges.filter((d) => !replaced.has(d));
    if (edges.length === 0) continue;
    if (edges.length === a.edges.length) {
      actions.push(a);
      continue;
    }
    const tags = [...new Set(edges.flatMap((d) => d.edge.tag === null ? [] : [d.edge.tag]))];
    actions.push({ ...a, edges, tags: tags.sort() });
  }
  return { decisions, actions };
}

/** One info line per image whose signature counted: who signed it (failures are refusals). */
export function trustLines(result: TrustGateResult | undefined): string[] {
  return (result?.images ?? []).flatMap((i) =>
    i.verified
      ? [
        `${i.image} is signed by ${JSON.stringify(i.verified.subject)} (issuer ` +
        `${JSON.stringify(i.verified.issuer)}${i.via ? `, through its index ${i.via}` : ""}): ` +
        `its signature policy (${i.policy.mode}) holds`,
      ]
      : []
  );
}

/** The trust gate's findings and the sign step's work as the JSON report's `signatures`. */
export function signaturesReport(
  gate: TrustGateResult | undefined,
  signing: { targets: readonly unknown[]; result: SignResult | null } | undefined,
): unknown {
  if (!gate && !signing) return undefined;
  return {
    verified: (gate?.images ?? []).map((i) => ({
      image: i.image,
      mode: i.policy.mode,
      manifests: i.manifests,
      signer: i.verified ?? null,
      index: i.via ?? null,
      problem: i.problem ?? null,
    })),
    signing: signing
      ? {
        targets: signing.targets,
        identity: signing.result?.identity ?? null,
        signed: signing.result?.signed ?? [],
        alreadySigned: signing.result?.present ?? [],
        failures: signing.result?.failures ?? [],
      }
      : null,
  };
}
