/** What credential sources may touch: environment, files, helpers, network, clock. */
import type { Logger } from "../../log.ts";
import type { HttpFetch } from "../http/http_fetch.ts";

/** The outcome of running a program. */
export interface ProgramResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `program` with `args`, feeding `input` on stdin. */
export type RunProgram = (program: string, args: string[], input: string) => Promise<ProgramResult>;

/** Options of `credentialsFor`. */
export interface CredentialOptions {
  /** The registry's `service-account` from the manifest: Google credentials for exactly it. */
  serviceAccount?: string;
  /** `--key-files`: service-account key files (JSON). */
  keyFiles: string[];
  env: (name: string) => string | undefined;
  /** For Google endpoints (token_uri, metadata server, IAM credentials), without `call`. */
  fetch: typeof fetch;
  /**
   * The run's call transport for Google endpoints (createCallTransport: the run's retry
   * policy, limits and counts). Without it, a transport of its own is made over `fetch`.
   */
  call?: HttpFetch;
  now: () => number;
  log: Logger;
  /** Reads a text file; throws Deno.errors.NotFound for a missing one. */
  readFile?: (path: string) => Promise<string>;
  /** Runs docker credential helpers (default: a subprocess with the PATH from `env`). */
  runHelper?: RunProgram;
  sleep?: (ms: number) => Promise<void>;
  /** Base URL of the IAM credentials API (tests point it at a fake). */
  iamCredentialsUrl?: string;
  /** Google's OAuth2 token endpoint, for `authorized_user` application-default credentials. */
  googleTokenUrl?: string;
  /**
   * Shared by every `credentialsFor` call of a run so that registries with the same service
   * account share one access token, and config files are read once.
   */
  cache?: CredentialCache;
}

/** Per-run memory of credential lookups (see `CredentialOptions.cache`). */
export class CredentialCache {
  /** Values by key, created on first use. */
  readonly #values = new Map<string, unknown>();

  /** The value stored under `key`, made by `make` the first time. */
  get<T>(key: string, make: () => T): T {
    if (!this.#values.has(key)) this.#values.set(key, make());
    return this.#values.get(key) as T;
  }
}

/** The default file reader. */
export const readTextFile = (path: string): Promise<string> => Deno.readTextFile(path);

/**
 * Why a credential file could not be read, in plain words (never Deno's own message, which
 * names the system call and for a missing permission the flag to pass).
 */
export function fileReadReason(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "does not exist";
  if (e instanceof Deno.errors.IsADirectory) return "is a directory";
  if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable) {
    return "permission denied";
  }
  return e instanceof Error ? e.message : "cannot be read";
}

/** Runs a program as a subprocess with the given PATH; the real `RunProgram`. */
export function subprocessRunner(path: string | undefined): RunProgram {
  return async (program, args, input) => {
    const cmd = new Deno.Command(program, {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      ...(path !== undefined ? { env: { PATH: path } } : {}),
    });
    const child = cmd.spawn();
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(input));
    await w.close();
    const out = await child.output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  };
}
