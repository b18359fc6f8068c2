/** Runs snapshots in-process against any fetch (a fake registry's, or the real one). */
import { makeContext } from "../../src/cli/context.ts";
import { parseFlags } from "../../src/cli/flags.ts";
import { describe } from "../../src/cli/error_text.ts";
import { main } from "../../src/cli/main.ts";
import { runSnapshot } from "../../src/cli/snapshot.ts";
import { type SnapshotAccess, SnapshotError } from "../../src/snapshot/pipeline.ts";
import { HttpBackend } from "../../src/registry/http/backend.ts";
import { plainHttpFetch } from "../../src/registry/http/http_fetch.ts";
import { readRepositories, walkRegistry } from "../../src/registry/inventory.ts";
import { type RecordedRun, recordingIo } from "../cli/recording_io.ts";

/** Runs `cip` (main, with the real opener and transport) in-process over `fetch`. */
export async function runSnapshotIn(
  args: string[],
  fetch: typeof globalThis.fetch,
  env: Record<string, string> = {},
): Promise<RecordedRun> {
  const { io, result } = recordingIo({ fetch, env, now: Date.now });
  return result(await main(args, io));
}

/** Registry access that opens HTTP registries over `fetch` with no transport (no retries, no waits). */
function plainAccess(fetch: typeof globalThis.fetch): SnapshotAccess {
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
  };
}

/** Runs the snapshot mode over plainAccess: network errors fail at once, without retries. */
export async function runSnapshotPlain(
  args: string[],
  fetch: typeof globalThis.fetch,
): Promise<RecordedRun> {
  const { io, result } = recordingIo({ fetch, now: Date.now });
  try {
    return result(await runSnapshot(makeContext(parseFlags(args), io), plainAccess(fetch)));
  } catch (e) {
    if (!(e instanceof SnapshotError)) throw e;
    io.stderr(`cip: ${describe(e)}\n`);
    return result(1);
  }
}
