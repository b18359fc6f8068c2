/**
 * The Deno flags `cip` runs with, in the one place they are written: the compiled binary gets
 * them (`deno task compile`), and the CLI tests run main.ts with them instead of -A, so a
 * permission the program needs but the binary lacks fails a test.
 *
 * The permission set itself is `permissions.cip` in deno.json: net (registries, token and
 * metadata endpoints), read (manifests, key files, docker and podman auth files), write
 * (--report, OCI layout directories), env (HOME, DOCKER_CONFIG, GOOGLE_APPLICATION_CREDENTIALS,
 * Prow's variables, ...; see docs/releasing.md), and run (git for checks and docker-credential-<name>
 * helpers; unscoped because Deno cannot allow a name prefix and the helper names come from the
 * user's docker config). Nothing else: no sys, ffi or import.
 */

/** The name of the permission set in deno.json. */
export const PERMISSION_SET = "cip";

/** The flags: the permission set, and never a prompt (a CI job would hang on one). */
export const PERMISSION_FLAGS: readonly string[] = [
  `--permission-set=${PERMISSION_SET}`,
  "--no-prompt",
];
