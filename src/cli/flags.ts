/** The command line's flags: one table that drives parsing and `--help`. */
import { parseArgs } from "node:util";
import { type Level, LEVELS } from "../log.ts";
import { UsageError } from "./usage_error.ts";

/** One flag: its kind, default (as shown in help), value name and meaning. */
export interface FlagSpec {
  name: string;
  type: "string" | "boolean";
  group: string;
  help: string;
  value?: string;
  default?: string;
  short?: string;
}

/** Every flag `cip` accepts, in the order `--help` lists them. */
export const FLAGS: readonly FlagSpec[] = [
  {
    name: "help",
    short: "h",
    type: "boolean",
    group: "General",
    help: "Print this help and exit.",
  },
  { name: "version", type: "boolean", group: "General", help: "Print the version and exit." },
  {
    name: "log-level",
    type: "string",
    group: "General",
    value: "LEVEL",
    default: "info",
    help: `Least severe log messages printed to stderr: ${LEVELS.join(", ")}.`,
  },
  {
    name: "timeout",
    type: "string",
    group: "General",
    value: "DURATION",
    default: "none",
    help: "Stop the run, with exit code 1, if it has not finished after DURATION (90s, 30m, " +
      "2h). Every request also has its own deadline.",
  },
  {
    name: "manifest",
    type: "string",
    group: "Manifests",
    value: "FILE",
    help: "A plain promoter manifest (YAML with `registries` and `images`).",
  },
  {
    name: "thin-manifest-dir",
    type: "string",
    group: "Manifests",
    value: "DIR",
    help: "A thin manifest directory: DIR/manifests/<x>/promoter-manifest.yaml paired with " +
      "DIR/images/<x>/images.yaml.",
  },
  {
    name: "parse-only",
    type: "boolean",
    group: "Manifests",
    help: "Read and validate the manifests, compute the promotion edges, print a summary to " +
      "stderr and stop. No network.",
  },
  {
    name: "key-files",
    type: "string",
    group: "Registries and credentials",
    value: "FILE[,FILE]",
    help: "Google service-account key files (JSON); the one whose client_email matches a " +
      "registry's service-account is used for that registry.",
  },
  {
    name: "insecure-registries",
    type: "string",
    group: "Registries and credentials",
    value: "HOST[,HOST]",
    help: "Hosts reached over plain http. Loopback hosts (localhost, 127.0.0.0/8, [::1]) " +
      "always are.",
  },
  {
    name: "max-requests-per-second",
    type: "string",
    group: "Registries and credentials",
    value: "N",
    default: "50 on Google hosts, unlimited elsewhere",
    help: "Requests per second per registry host (0 = unlimited).",
  },
  {
    name: "threads",
    type: "string",
    group: "Registries and credentials",
    value: "N",
    default: "20",
    help: "Requests in flight at once per registry host.",
  },
  {
    name: "confirm",
    type: "boolean",
    group: "Promotion",
    help: "Really copy. Without it, cip only prints what it would do (dry run).",
  },
  {
    name: "dry-run",
    type: "boolean",
    group: "Promotion",
    help: "Print the plan without writing (the default). --dry-run=false is the same as " +
      "--confirm.",
  },
  {
    name: "json-log-summary",
    type: "boolean",
    group: "Promotion",
    help: "Print the plan and its outcome as JSON to stdout at the end.",
  },
  {
    name: "report",
    type: "string",
    group: "Promotion",
    value: "FILE",
    help: "Write the plan and its outcome as JSON to FILE.",
  },
  {
    name: "no-attachments",
    type: "boolean",
    group: "Promotion",
    help: "Leave signatures, attestations and SBOMs behind: without it, what is attached to " +
      "a promoted image (cosign tags, OCI referrers) is copied with it.",
  },
  {
    name: "signature-policy",
    type: "string",
    group: "Signatures",
    value: "MODE",
    default: "require with an identity flag, else off",
    help: "What to do about images whose signatures do not count: off, warn (report), or " +
      "require (refuse them; the rest is promoted and the run exits 1). A manifest's policy: " +
      "block can only make its images' mode stricter. See docs/signatures.md.",
  },
  {
    name: "certificate-identity",
    type: "string",
    group: "Signatures",
    value: "SUBJECT",
    help: "Signatures count when their certificate's subject (an email address or URI) is " +
      "SUBJECT and its issuer is the one --certificate-oidc-issuer[-regexp] names.",
  },
  {
    name: "certificate-identity-regexp",
    type: "string",
    group: "Signatures",
    value: "RE",
    help: "Instead of --certificate-identity: the subject matches the regular expression RE " +
      "(all of it).",
  },
  {
    name: "certificate-oidc-issuer",
    type: "string",
    group: "Signatures",
    value: "URL",
    help: "The OIDC issuer that vouched for the subject (the certificate's issuer extension).",
  },
  {
    name: "certificate-oidc-issuer-regexp",
    type: "string",
    group: "Signatures",
    value: "RE",
    help: "Instead of --certificate-oidc-issuer: the issuer matches RE (all of it).",
  },
  {
    name: "trusted-root",
    type: "string",
    group: "Signatures",
    value: "FILE",
    help: "The Sigstore trusted_root.json signatures are verified against (required when " +
      "signatures are verified; nothing is fetched).",
  },
  {
    name: "sign",
    type: "boolean",
    group: "Signatures",
    help: "After promoting, sign each promoted image that has no valid signature by the signing " +
      "identity yet (keyless: Fulcio and Rekor) and store the Sigstore bundle as an OCI referrer " +
      "in its destinations. Writes only with --confirm; a dry run lists what it would sign. " +
      "Needs --trusted-root and an identity token.",
  },
  {
    name: "identity-token",
    type: "string",
    group: "Signatures",
    value: "FILE",
    default: "$SIGSTORE_ID_TOKEN, else GitHub Actions' OIDC token",
    help: "The OIDC identity token to sign with, read from FILE.",
  },
  {
    name: "signer-account",
    type: "string",
    group: "Signatures",
    value: "EMAIL",
    help: "Instead of --identity-token: sign as this Google service account, with an identity " +
      "token from the IAM credentials API (generateIdToken) asked as the run's Google identity " +
      "(GOOGLE_APPLICATION_CREDENTIALS, else the metadata server's account), which needs " +
      "roles/iam.serviceAccountOpenIdTokenCreator on EMAIL.",
  },
  {
    name: "sign-legacy-sig",
    type: "boolean",
    group: "Signatures",
    help: "With --sign, also store the signature in cosign's legacy sha256-<hex>.sig tag.",
  },
  {
    name: "fulcio-url",
    type: "string",
    group: "Signatures",
    value: "URL",
    default: "https://fulcio.sigstore.dev",
    help: "The Fulcio certificate authority --sign uses.",
  },
  {
    name: "rekor-url",
    type: "string",
    group: "Signatures",
    value: "URL",
    default: "https://rekor.sigstore.dev",
    help: "The Rekor transparency log --sign uses.",
  },
  {
    name: "timestamp-url",
    type: "string",
    group: "Signatures",
    value: "URL",
    help: "An RFC 3161 timestamp authority --sign also asks for a timestamp.",
  },
  {
    name: "snapshot",
    type: "string",
    group: "Snapshots",
    value: "REGISTRY[/PATH]",
    help: "Print every image, digest and tag below REGISTRY to stdout and stop.",
  },
  {
    name: "manifest-based-snapshot-of",
    type: "string",
    group: "Snapshots",
    value: "REGISTRY",
    help: "Print what the manifests promote into REGISTRY, computed without network access.",
  },
  {
    name: "snapshot-tag",
    type: "string",
    group: "Snapshots",
    value: "TAG",
    help: "Keep only digests carrying TAG.",
  },
  {
    name: "minimal-snapshot",
    type: "boolean",
    group: "Snapshots",
    help: "Leave out untagged digests that are children of a manifest list in the same " +
      "repository.",
  },
  {
    name: "snapshot-without-attachments",
    type: "boolean",
    group: "Snapshots",
    help: "Leave out signatures, attestations and SBOMs: cosign's sha256-<hex>.sig/.att/.sbom " +
      "tags, referrers-schema sha256-<hex> tags, and what only they name.",
  },
  {
    name: "output",
    type: "string",
    group: "Snapshots",
    value: "FORMAT",
    default: "yaml",
    help: "Snapshot format: yaml (the images.yaml format), csv, or json.",
  },
  {
    name: "snapshot-service-account",
    type: "string",
    group: "Snapshots",
    value: "EMAIL",
    help: "Google service account to read the snapshot's registry as.",
  },
  {
    name: "checks",
    type: "string",
    group: "Checks",
    value: "NAME[,NAME]",
    help: "Run only these pre-submit checks.",
  },
  {
    name: "skip-checks",
    type: "string",
    group: "Checks",
    value: "NAME[,NAME]",
    help: "Leave these pre-submit checks out.",
  },
  {
    name: "list-checks",
    type: "boolean",
    group: "Checks",
    help: "Print the name and description of every check and exit.",
  },
  {
    name: "diff-base",
    type: "string",
    group: "Checks",
    value: "REV",
    help: "Git revision the manifests are compared against (the pull request's base).",
  },
  {
    name: "use-prow-manifest-diff",
    type: "boolean",
    group: "Checks",
    help: "Take the git base from Prow's environment (JOB_TYPE, PULL_BASE_SHA) and promote " +
      "only what changed since it.",
  },
  {
    name: "manifest-diff-since",
    type: "string",
    group: "Checks",
    value: "DATE",
    help: "Promote only what the manifests changed since DATE (git's --since syntax).",
  },
  {
    name: "max-image-size",
    type: "string",
    group: "Checks",
    value: "MIB",
    default: "2048",
    help: "Largest image size the image-size check allows, in MiB.",
  },
];

/** The parsed command line: flag values by name, plus the positional words. */
export interface Flags {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  logLevel: Level;
}

/** Parses argv strictly against FLAGS; throws UsageError on anything unknown or malformed. */
export function parseFlags(args: string[]): Flags {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const f of FLAGS) {
    options[f.name] = f.short ? { type: f.type, short: f.short } : { type: f.type };
  }
  const { rest, dryRunFalse } = preprocessDryRun(args);
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: true, tokens: true });
  } catch (e) {
    throw new UsageError(describeParseError(e));
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option") continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once`);
    seen.add(token.name);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const positionals = parsed.positionals;
  if (positionals.length > 0 && positionals[0] === "run") positionals.shift();
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}"`);
  }
  for (const f of FLAGS) {
    if (f.type === "string" && values[f.name] === "") {
      throw new UsageError(`--${f.name} needs a value`);
    }
  }
  if (dryRunFalse) {
    if (values["dry-run"]) {
      throw new UsageError("--dry-run and --dry-run=false contradict each other");
    }
    values.confirm = true;
  }
  if (values["dry-run"] && values.confirm) {
    throw new UsageError("--dry-run and --confirm cannot be used together");
  }
  const level = (values["log-level"] as string | undefined) ?? "info";
  if (!(LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`--log-level must be one of ${LEVELS.join(", ")}, not "${level}"`);
  }
  return { values, positionals, logLevel: level as Level };
}

/**
 * Takes the original tool's `--dry-run=false` (and `--dry-run=true`) out of argv, since
 * node:util parseArgs gives boolean flags no value; `--dry-run=false` means `--confirm`.
 */
function preprocessDryRun(args: string[]): { rest: string[]; dryRunFalse: boolean } {
  let dryRunFalse = false;
  const rest: string[] = [];
  let ended = false;
  for (const a of args) {
    const m = ended ? null : /^--dry-run=(.*)$/s.exec(a);
    if (a === "--") ended = true;
    if (!m) {
      rest.push(a);
    } else if (m[1] === "false") {
      dryRunFalse = true;
    } else if (m[1] === "true") {
      rest.push("--dry-run");
    } else {
      throw new UsageError(`--dry-run takes true or false, not "${m[1]}"`);
    }
  }
  return { rest, dryRunFalse };
}

/** Turns node:util's parse errors into one short line. */
function describeParseError(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const unknown = /Unknown option '([^']+)'/.exec(text);
  if (unknown) return `unknown flag ${unknown[1]}`;
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(text);
  if (missing) return `${missing[1]} needs a value`;
  const noValue = /Option '(--[\w-]+)' does not take an argument/.exec(text);
  if (noValue) return `${noValue[1]} takes no value`;
  return text.split("\n")[0] ?? text;
}
