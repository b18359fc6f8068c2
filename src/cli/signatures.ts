/**
 * The signature flags of `cip run` as the run's TrustSettings: the mode (`--signature-policy`),
 * the identity whose signatures count (`--certificate-identity[-regexp]` with
 * `--certificate-oidc-issuer[-regexp]`, the original promoter's and cosign's names) and the
 * trusted root (`--trusted-root`); and the check, once the manifests are read, that every
 * policy that is not `off` can be applied. Mistakes are usage errors (exit 2).
 */
import type { Manifest } from "../manifest/mod.ts";
import {
  type AllowedIdentity,
  loadTrustRoot,
  type Matcher,
  POLICY_MODES,
  type PolicyMode,
  SigstoreError,
  type TrustRoot,
} from "../sigstore/mod.ts";
import { type TrustSettings, trustSettingsProblems } from "../trust/mod.ts";
import type { RunContext } from "./context.ts";
import { UsageError } from "./usage_error.ts";

/** One side of the identity from its exact and regexp flags, or undefined when neither is given. */
function matcherFlag(
  values: Record<string, string | boolean | undefined>,
  name: string,
): Matcher | undefined {
  const exact = values[name] as string | undefined;
  const regexp = values[`${name}-regexp`] as string | undefined;
  if (exact !== undefined && regexp !== undefined) {
    throw new UsageError(`--${name} and --${name}-regexp cannot be used together`);
  }
  if (exact !== undefined) return { exact };
  if (regexp === undefined) return undefined;
  try {
    new RegExp(`^(?:${regexp})$`);
  } catch (e) {
    throw new UsageError(
      `--${name}-regexp is not a valid regular expression: ${(e as Error).message}`,
    );
  }
  return { regexp };
}

/**
 * Reads the signature flags; loads the trusted root when one is named. Throws UsageError for a
 * mode that does not exist, an identity without an issuer (or the reverse), an invalid regular
 * expression, or a trusted root that cannot be read or used.
 */
export async function readTrustFlags(ctx: RunContext): Promise<TrustSettings> {
  const v = ctx.flags.values;
  const subject = matcherFlag(v, "certificate-identity");
  const issuer = matcherFlag(v, "certificate-oidc-issuer");
  if ((subject === undefined) !== (issuer === undefined)) {
    throw new UsageError(
      subject === undefined
        ? "--certificate-oidc-issuer[-regexp] needs --certificate-identity[-regexp] (whose " +
          "signatures the issuer vouches for)"
        : "--certificate-identity[-regexp] needs --certificate-oidc-issuer[-regexp] (the OIDC " +
          "issuer that vouched for the identity)",
    );
  }
  const identities: AllowedIdentity[] = subject && issuer ? [{ subject, issuer }] : [];
  const modeFlag = v["signature-policy"] as string | undefined;
  if (modeFlag !== undefined && !(POLICY_MODES as readonly string[]).includes(modeFlag)) {
    throw new UsageError(
      `--signature-policy must be one of ${POLICY_MODES.join(", ")}, not "${modeFlag}"`,
    );
  }
  const mode = (modeFlag ?? (identities.length > 0 ? "require" : "off")) as PolicyMode;
  const settings: TrustSettings = { run: { mode, identities }, done: new Map() };
  const file = v["trusted-root"] as string | undefined;
  if (file !== undefined) settings.root = await readTrustedRoot(file);
  return settings;
}

/** The trusted root in `file`; UsageError when it cannot be read or used. */
async function readTrustedRoot(file: string): Promise<TrustRoot> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    throw new UsageError(
      `--trusted-root=${file}: cannot read the file (${e instanceof Error ? e.name : "error"})`,
    );
  }
  try {
    return await loadTrustRoot(text, file);
  } catch (e) {
    if (e instanceof SigstoreError) throw new UsageError(`--trusted-root: ${e.message}`);
    throw e;
  }
}

/**
 * Throws UsageError when a manifest's policy (or the run's) is not `off` but cannot be applied:
 * no identity, or no trusted root.
 */
export function checkTrustSettings(manifests: readonly Manifest[], settings: TrustSettings): void {
  const problems = trustSettingsProblems(manifests, settings);
  if (problems.length > 0) throw new UsageError(problems.join("; "));
}
