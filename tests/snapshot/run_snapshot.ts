/** Runs the snapshot mode in-process against any fetch (a fake registry's, or the real one). */
import { type Io, makeContext } from "../../src/cli/context.ts";
import { parseFlags } from "../../src/cli/flags.ts";
import { describe, EXIT } from "../../src/cli/main.ts";
import { runSnapshot, type SnapshotDeps, SnapshotError } from "../../src/cli/snapshot.ts";
import { HttpBackend } from "../../src/registry/client.ts";
import { plainHttpFetch } from "../../src/registry/http_fetch.ts";
import { readRepositories, walkRegistry } from "../../src/registry/inventory.ts";

/** The outcome of one in-process snapshot. */
export interface SnapshotRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Deps that open HTTP registries over `fetch` without credentials. */
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

/** Runs `cip` snapshot flags in-process; a failed walk gives exit 1 and its message. */
export async function runSnapshotIn(
  args: string[],
  fetch: typeof globalThis.fetch,
): Promise<SnapshotRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    stdout: (t) => {
      out.push(t);
      return Promise.resolve();
    },
    stderr: (t) => void err.push(t),
    env: () => undefined,
    stderrIsTerminal: false,
    fetch,
    now: () => 0,
  };
  let code: number;
  try {
    code = await runSnapshot(makeContext(parseFlags(args), io), plainDeps(fetch));
  } catch (e) {
    if (!(e instanceof SnapshotError)) throw e;
    err.push(`cip: ${describe(e)}\n`);
    code = EXIT.failed;
  }
  return { code, stdout: out.join(""), stderr: err.join("") };
}
