/**
 * For write-counting tests: a `docker-registry` process whose log goes to a file, so the
 * requests it served (one "response completed" line each, with method and bytes written) can be
 * counted for any client, cip or skopeo alike.
 */
import { startRegistry } from "./registry_process.ts";

/** A registry process with a request log. */
export interface LoggedRegistry {
  host: string;
  url: string;
  dir: string;
  /**
   * Requests served since the last `mark()`: count by method and response bytes. It sends a
   * marker request and reads the log up to the marker's line, so every request answered
   * before the call is counted, without waiting a fixed time.
   */
  served(): Promise<Served>;
  /** Starts a new counting window (after a marker request of its own). */
  mark(): Promise<void>;
  stop(): Promise<void>;
}

/** Requests counted from a registry log. */
export interface Served {
  requests: number;
  byMethod: Record<string, number>;
  /** Sum of response body bytes the registry wrote. */
  bytesOut: number;
  /** Every request: method, URI (path and query) and status. */
  lines: { method: string; uri: string; status: number }[];
}

/** The write requests among those served (anything but GET and HEAD). */
export function writesOf(s: Served): { method: string; uri: string; status: number }[] {
  return s.lines.filter((l) => l.method !== "GET" && l.method !== "HEAD");
}

/** The repository path of marker requests: never a real repository of the tests. */
const MARKER_REPO = "cip-log-marker";

/** How long a marker may take to reach the log before the registry is deemed broken. */
const MARKER_TIMEOUT_MS = 30_000;

/** Starts `docker-registry serve` (see `startRegistry`) with its log in a file. */
export async function startLoggedRegistry(): Promise<LoggedRegistry> {
  const { host, url, dir, logFile, stop } = await startRegistry();
  let offset = 0;
  let markers = 0;
  const completed = async () =>
    (await Deno.readTextFile(logFile)).split("\n").filter((l) =>
      l.includes('msg="response completed')
    );
  /** Sends a marker request; resolves with the completed lines up to it (marker excluded). */
  const throughMarker = async (): Promise<string[]> => {
    const uri = `/v2/${MARKER_REPO}/m${++markers}/tags/list`;
    const res = await fetch(`${url}${uri}`);
    await res.body?.cancel();
    const deadline = Date.now() + MARKER_TIMEOUT_MS;
    for (;;) {
      const lines = await completed();
      const at = lines.findIndex((l) => l.includes(uri));
      if (at >= 0) return lines.slice(0, at);
      if (Date.now() > deadline) throw new Error(`the registry at ${host} never logged ${uri}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return {
    host,
    url,
    dir,
    stop,
    async mark() {
      offset = (await throughMarker()).length + 1;
    },
    async served() {
      const lines = (await throughMarker()).slice(offset).filter((l) =>
        !l.includes(`/v2/${MARKER_REPO}/`)
      );
      const byMethod: Record<string, number> = {};
      let bytesOut = 0;
      const parsed: Served["lines"] = [];
      for (const l of lines) {
        const method = /http\.request\.method=(\w+)/.exec(l)?.[1] ?? "?";
        byMethod[method] = (byMethod[method] ?? 0) + 1;
        bytesOut += Number(/http\.response\.written=(\d+)/.exec(l)?.[1] ?? 0);
        const uri = /http\.request\.uri="?([^\s"]+)/.exec(l)?.[1] ?? "";
        const status = Number(/http\.response\.status=(\d+)/.exec(l)?.[1] ?? 0);
        parsed.push({ method, uri, status });
      }
      return { requests: lines.length, byMethod, bytesOut, lines: parsed };
    },
  };
}
