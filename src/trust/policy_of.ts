/**
 * Which trust policy governs the images of a manifest: the run's (from the command line) and the
 * manifest's own `policy:` block, combined so that a sub-project chooses whose signatures count
 * for its images but cannot make a run less strict than its operator asked:
 *
 * - mode: the stricter of the run's and the manifest's (`off` < `warn` < `require`);
 * - identities: the manifest's when it lists any, else the run's.
 */
import type { Manifest, PolicyMode } from "../manifest/mod.ts";
import { POLICY_MODES, type TrustPolicy, type TrustRoot } from "../sigstore/mod.ts";

/** What a run knows about signatures: its own policy, and the trusted root when one is given. */
export interface TrustSettings {
  /** The run's policy (mode `off` and no identities when the command line names none). */
  run: TrustPolicy;
  /** The trusted root; needed as soon as any manifest's policy is not `off`. */
  root?: TrustRoot;
  /**
   * Verifications done in this run, so the pre-submit check and the trust gate verify an image
   * once (verifyImage fills it).
   */
  done?: Map<string, Promise<unknown>>;
}

/** No policy: signatures are not looked at. */
export const NO_POLICY: TrustPolicy = { mode: "off", identities: [] };

/** The stricter of two modes. */
export function stricterMode(a: PolicyMode, b: PolicyMode): PolicyMode {
  return POLICY_MODES.indexOf(a) >= POLICY_MODES.indexOf(b) ? a : b;
}

/** The policy governing `manifest`'s images under the run's policy `run`. */
export function policyOf(manifest: Manifest, run: TrustPolicy): TrustPolicy {
  const own = manifest.policy;
  if (!own) return run;
  return {
    mode: stricterMode(run.mode, own.mode),
    identities: own.identities.length > 0 ? own.identities : run.identities,
  };
}

/**
 * What keeps these settings from being applied to `manifests`, one line each: a policy that is
 * not `off` without identities, or without a trusted root. Empty when they can be applied.
 */
export function trustSettingsProblems(
  manifests: readonly Manifest[],
  settings: TrustSettings,
): string[] {
  const problems: string[] = [];
  let needsRoot = false;
  for (const m of manifests) {
    const p = policyOf(m, settings.run);
    if (p.mode === "off") continue;
    needsRoot = true;
    if (p.identities.length === 0) {
      problems.push(
        `the signature policy of ${m.file} is ${p.mode} but names no identity: give ` +
          "--certificate-identity and --certificate-oidc-issuer (or their -regexp forms), or " +
          "identities in its policy: block",
      );
    }
  }
  if (needsRoot && !settings.root) {
    problems.push(
      "signatures are verified in this run but no trusted root is given: pass " +
        "--trusted-root=FILE (a Sigstore trusted_root.json)",
    );
  }
  return problems;
}
