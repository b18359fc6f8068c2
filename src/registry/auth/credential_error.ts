/** The error of credential sources: what was tried and why each attempt failed. */
import { RegistryError } from "../errors.ts";

/** One credential source that was tried. */
export interface Attempt {
  /** The source, e.g. `key file /ci/prod.json` or `metadata server metadata.google.internal`. */
  source: string;
  /** Why it did not give credentials; never contains a secret. */
  reason: string;
  /** Whether the failure may pass (an endpoint unreachable, 429, 5xx). */
  temporary?: boolean;
}

/** Credentials could not be obtained; `attempts` lists every source tried. */
export class CredentialError extends RegistryError {
  /** The sources tried, in order. */
  readonly attempts: Attempt[];

  /** `what` says which credentials were wanted, e.g. `a token for x@p.iam.gserviceaccount.com`. */
  constructor(
    what: string,
    attempts: Attempt[],
    init: { temporary?: boolean; cause?: unknown } = {},
  ) {
    const tried = attempts.length === 0
      ? "no credential source is configured"
      : `tried: ${attempts.map((a) => `${a.source}: ${a.reason}`).join("; ")}`;
    super(`Cannot get ${what}: ${tried}`, init);
    this.name = "CredentialError";
    this.attempts = attempts;
  }
}
