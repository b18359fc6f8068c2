/** The registry layer's one error type. */

/** Something a registry (or a registry directory) refused or failed to do. */
export class RegistryError extends Error {
  /** HTTP status when the registry answered, else undefined (network error, bad directory). */
  readonly status?: number;
  /** OCI error codes from the response body, e.g. `MANIFEST_UNKNOWN`, `DENIED`. */
  readonly codes: string[];
  /** Whether trying again later may succeed (429, 5xx, resets). */
  readonly temporary: boolean;
  /** The answer's `Retry-After` header, when it had one (a wait the registry asked for). */
  readonly retryAfter?: string;
  /**
   * Set by the transport when it gave up on the request after every attempt the retry policy
   * allows: an operation around it must not repeat it again.
   */
  exhausted = false;

  /** `message` says what could not be done and why. */
  constructor(
    message: string,
    init: {
      status?: number;
      codes?: string[];
      temporary?: boolean;
      retryAfter?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "RegistryError";
    if (init.status !== undefined) this.status = init.status;
    if (init.retryAfter !== undefined) this.retryAfter = init.retryAfter;
    this.codes = init.codes ?? [];
    this.temporary = init.temporary ?? false;
  }
}
