/** Runs snapshots in-process against any fetch (a fake registry's, or the real one). */
import { type Io, makeContext } from "../../src/cli/context.ts";
import { parseFlags } from "../../src/cli/flags.ts";
import { describe, EXIT, main } from "../../src/cli/main.ts";
import { runSnapshot, type SnapshotDeps, SnapshotError } from "../../src/cli/snapshot.ts";
import { HttpBackend } from "../../src/registry/client.ts";
import { plainHttpFetch } from "../../src/registry/http_fetch.ts";
import { readRepositories, walkRegistry } from "../../src/registry/inventory.ts";

/** The outcome of one in-process run. */
export interface SnapshotRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** An Io over `fetch` that records stdout and stderr, with no environment. */
function recordingIo(fetch: typeof globalThis.fetch, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    stdout: (t) => {
      out.push(t);
      return Promise.resolve();
    },
    stderr: (t) => void err.push(t),
    env: (name) => env[name],
    stderrIsTerminal: false,
    fetch,
    now: Date.now,
  };
  return { io, result: (code: number) => ({ code, stdout: out.join(""), stderr: err.join("") }) };
}

/** Runs `cip` (main, with the real opener and transport) in-process over `fetch`. */
export async function runSnapshotIn(
  args: string[],
  fetch: typeof globalThis.fetch,
  env: Record<string, string> = {},
): Promise<SnapshotRun> {
  const { io, result } = recordingIo(fetch, env);
  return result(await main(args, io));
}

/** Deps that open HTTP registries over `fetch` with no transport (no retries, no waits). */
export function plainDeps(fetch: typeof globalThis.fetch): SnapshotDeps {
  return {
    open(name) {
      const slash = name.indexOf("/");
      const host = slash < 0 ? name : name.slice(0, slash);
      const prefix = slash < 0 ? "" : name.slice(slash + 1);
      return Promise.resolve({
        backend: new HttpBackend({ host, fetch: plainHttpFetch(fetch) }),
        prefix,
      });
    },
    walk: (backend, prefix, onProgress) =>
      walkRegistry(backend, prefix, (p) => onProgress(p.done, p.repositories)),
    read: (backend, repos) => readRepositories(backend, repos),
    loadManifests: () => Promise.reject(new Error("no manifests here")),
  };
}

/** Runs the snapshot mode over plainDeps: network errors fail at once, without retries. */
export async function runSnapshotPlain(
  args: string[],
  fetch: typeof globalThis.fetch,
): Promise<SnapshotRun> {
  const { io, result } = recordingIo(fetch);
  try {
    return result(await runSnapshot(makeContext(parseFlags(args), io), plainDeps(fetch)));
  } catch (e) {
    if (!(e instanceof SnapshotError)) throw e;
    io.stderr(`cip: ${describe(e)}\n`);
    return result(EXIT.failed);
  }
}
