/** The errors of the Sigstore layer. No message ever contains an identity token or a key. */

/** A Sigstore operation (trust setup, signing) could not be done; `message` says what and why. */
export class SigstoreError extends Error {
  /** Whether trying again later may succeed (a service unreachable, 429, 5xx). */
  readonly temporary: boolean;

  /** `message` says what could not be done and why. */
  constructor(message: string, init: { temporary?: boolean; cause?: unknown } = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "SigstoreError";
    this.temporary = init.temporary ?? false;
  }
}

/** No usable identity token: the source failed, or the token is malformed or expired. */
export class TokenError extends SigstoreError {
  /** Which token source was asked, e.g. `SIGSTORE_ID_TOKEN` or `GitHub Actions OIDC`. */
  readonly source: string;

  /** `source` names where the token was to come from; `reason` never contains the token. */
  constructor(source: string, reason: string, init: { temporary?: boolean; cause?: unknown } = {}) {
    super(`Cannot get an identity token from ${source}: ${reason}`, init);
    this.name = "TokenError";
    this.source = source;
  }
}

/** A Fulcio, Rekor or timestamp authority call failed. */
export class ServiceError extends SigstoreError {
  /** The service: `Fulcio`, `Rekor` or `timestamp authority`. */
  readonly service: string;
  /** HTTP status when the service answered. */
  readonly status?: number;

  /** `what` says what was asked, e.g. `a signing certificate`. */
  constructor(
    service: string,
    what: string,
    reason: string,
    init: { status?: number; temporary?: boolean; cause?: unknown } = {},
  ) {
    super(`Cannot get ${what} from ${service}: ${reason}`, init);
    this.name = "ServiceError";
    this.service = service;
    if (init.status !== undefined) this.status = init.status;
  }
}

/** A trust policy is invalid; `problems` lists every problem found, each with its place. */
export class PolicyError extends SyntaxError {
  /** Where the policy came from, e.g. a file path or `flags`. */
  readonly source: string;
  /** One line per problem, e.g. `identities[0]: 'issuer' or 'issuer-regexp' is required`. */
  readonly problems: string[];

  /** `source` names where the policy came from. */
  constructor(source: string, problems: string[]) {
    super(`Invalid trust policy in ${source}: ${problems.join("; ")}`);
    this.name = "PolicyError";
    this.source = source;
    this.problems = problems;
  }
}

/** `text` with every secret (and every long part of a JWT secret) replaced by `[redacted]`. */
export function scrub(text: string, secrets: readonly string[]): string {
  const parts = secrets.flatMap((s) => [s, ...s.split(".")]).filter((s) => s.length >= 8);
  parts.sort((a, b) => b.length - a.length);
  let out = text;
  for (const part of parts) out = out.split(part).join("[redacted]");
  return out;
}
