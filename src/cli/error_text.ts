/**
 * How an error reads on the command line: one line, what failed and why, with the system
 * errors Deno raises worded as their plain reason.
 */
import { describeError } from "../describe_error.ts";

/** One line for an error and its causes: `what failed: why`. */
export function describe(e: unknown): string {
  return describeError(e, errorText);
}

/**
 * The text of one error in a chain. A file system or permission error wrapped by an error that
 * names what could not be done reads as its plain reason: `cannot read manifest x: not found`.
 */
function errorText(e: Error, wrapped: boolean): string {
  if (!wrapped) {
    return e instanceof Deno.errors.NotCapable ? `permission denied: ${e.message}` : e.message;
  }
  if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable) {
    return "permission denied";
  }
  if (e instanceof Deno.errors.NotFound) return "not found";
  if (e instanceof Deno.errors.IsADirectory) return "is a directory";
  // Other system errors without the system call and path Deno appends: the error that wraps
  // them already names the path.
  if (DENO_ERRORS.some((c) => e instanceof c)) {
    return e.message.replace(/\s*\(os error \d+\).*$/s, "");
  }
  return e.message;
}

/** Deno's error classes for failed system calls. */
const DENO_ERRORS: (new (...args: never[]) => Error)[] = Object.values(Deno.errors);
