/** A mistake in how `cip` was called: exit code 2 and a pointer to `--help`. */
export class UsageError extends Error {
  /** Builds a usage error with a one-line message. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}
