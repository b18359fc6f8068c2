/**
 * Trust policies as pure data: what a promotion does about signatures (`mode`) and whose
 * signatures count (`identities`). Parsed from the value of a `policy:` block or from flags
 * turned into the same shape:
 *
 * ```yaml
 * mode: require            # off | warn | require
 * identities:              # a signature counts when its certificate matches one entry
 *   - subject: https://github.com/kubernetes/release/.github/workflows/build.yaml@refs/heads/main
 *     issuer: https://token.actions.githubusercontent.com
 *   - subject-regexp: ^k8s-infra-gcr-promoter@.*\.iam\.gserviceaccount\.com$
 *     issuer: https://accounts.google.com
 * ```
 *
 * An entry pairs a subject (the certificate's SAN) with the OIDC issuer that vouched for it,
 * as cosign's `--certificate-identity` and `--certificate-oidc-issuer` do: an issuer only
 * speaks for its own subjects. Regular expressions must match the whole text.
 */
import { PolicyError } from "./errors.ts";

/** What a promotion does about signatures: nothing, report failures, or refuse the image. */
export type PolicyMode = "off" | "warn" | "require";

/** The policy modes, in order of strictness. */
export const POLICY_MODES: readonly PolicyMode[] = ["off", "warn", "require"];

/** A text condition: equal to `exact`, or wholly matched by the regular expression `regexp`. */
export type Matcher = { exact: string } | { regexp: string };

/** One allowed signer: a certificate subject and the issuer that vouched for it. */
export interface AllowedIdentity {
  /** Matches the certificate's subject alternative name (an e-mail address or a URI). */
  subject: Matcher;
  /** Matches the certificate's OIDC issuer extension. */
  issuer: Matcher;
}

/** A trust policy. */
export interface TrustPolicy {
  /** What to do about signatures. */
  mode: PolicyMode;
  /** Signers whose signatures count; at least one unless `mode` is `off`. */
  identities: AllowedIdentity[];
}

/** The identity a verified certificate carries. */
export interface SignerIdentity {
  /** The certificate's subject alternative name. */
  subject: string;
  /** The certificate's OIDC issuer. */
  issuer: string;
}

const POLICY_KEYS = new Set(["mode", "identities"]);
const IDENTITY_KEYS = new Set(["subject", "subject-regexp", "issuer", "issuer-regexp"]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function anchored(source: string): RegExp {
  return new RegExp(`^(?:${source})$`);
}

function matcher(
  entry: Record<string, unknown>,
  field: "subject" | "issuer",
  where: string,
  problems: string[],
): Matcher | undefined {
  const exact = entry[field];
  const regexp = entry[`${field}-regexp`];
  if (exact !== undefined && regexp !== undefined) {
    problems.push(`${where}: give '${field}' or '${field}-regexp', not both`);
    return undefined;
  }
  const value = exact ?? regexp;
  const key = exact !== undefined ? field : `${field}-regexp`;
  if (value === undefined) {
    problems.push(`${where}: '${field}' or '${field}-regexp' is required`);
    return undefined;
  }
  if (typeof value !== "string" || value.trim() === "") {
    problems.push(`${where}: '${key}' must be a non-empty string`);
    return undefined;
  }
  if (exact !== undefined) return { exact: value };
  try {
    anchored(value);
  } catch (e) {
    problems.push(`${where}: '${key}' is not a valid regular expression (${(e as Error).message})`);
    return undefined;
  }
  return { regexp: value };
}

function identity(value: unknown, where: string, problems: string[]): AllowedIdentity | undefined {
  if (!isRecord(value)) {
    problems.push(`${where}: must be a map with 'subject' and 'issuer'`);
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!IDENTITY_KEYS.has(key)) problems.push(`${where}: unknown field '${key}'`);
  }
  const subject = matcher(value, "subject", where, problems);
  const issuer = matcher(value, "issuer", where, problems);
  return subject && issuer ? { subject, issuer } : undefined;
}

/** Validates a policy value (a parsed `policy:` block); throws PolicyError listing every problem. */
export function parsePolicy(value: unknown, source: string): TrustPolicy {
  const problems: string[] = [];
  if (!isRecord(value)) throw new PolicyError(source, ["the policy must be a map"]);
  for (const key of Object.keys(value)) {
    if (!POLICY_KEYS.has(key)) problems.push(`unknown field '${key}'`);
  }
  const mode = value.mode;
  if (mode === undefined) problems.push(`'mode' is required (${POLICY_MODES.join(", ")})`);
  else if (!POLICY_MODES.includes(mode as PolicyMode)) {
    problems.push(`'mode' must be one of ${POLICY_MODES.join(", ")}, not ${JSON.stringify(mode)}`);
  }
  const list = value.identities ?? [];
  const identities: AllowedIdentity[] = [];
  if (!Array.isArray(list)) problems.push("'identities' must be a list");
  else {
    list.forEach((entry, i) => {
      const parsed = identity(entry, `identities[${i}]`, problems);
      if (parsed) identities.push(parsed);
    });
    if (list.length === 0 && (mode === "warn" || mode === "require")) {
      problems.push(`mode '${mode}' needs at least one entry in 'identities'`);
    }
  }
  if (problems.length > 0) throw new PolicyError(source, problems);
  return { mode: mode as PolicyMode, identities };
}

/** Whether `text` satisfies `m` (a regular expression must match all of it). */
export function matches(m: Matcher, text: string): boolean {
  return "exact" in m ? m.exact === text : anchored(m.regexp).test(text);
}

/** The first entry of `allowed` that `signer` satisfies, if any. */
export function allowedIdentity(
  allowed: readonly AllowedIdentity[],
  signer: SignerIdentity,
): AllowedIdentity | undefined {
  return allowed.find((a) =>
    matches(a.subject, signer.subject) && matches(a.issuer, signer.issuer)
  );
}

/** A matcher as words for messages: `"x"` or `/re/`. */
export function describeMatcher(m: Matcher): string {
  return "exact" in m ? JSON.stringify(m.exact) : `/${m.regexp}/`;
}
