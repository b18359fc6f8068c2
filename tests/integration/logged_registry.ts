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
   * Requests served since the last `mark()`: count by method and response bytes. Waits
   * `settleMs` first, for the registry to log requests it has just answered.
   */
  served(settleMs?: number): Promise<Served>;
  /** Starts a new counting window. */
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

/** Starts `docker-registry serve` (see `startRegistry`) with its log in a file. */
export async function startLoggedRegistry(): Promise<LoggedRegistry> {
  const { host, url, dir, logFile, stop } = await startRegistry();
  let offset = 0;
  const read = async () => (await Deno.readTextFile(logFile)).split("\n");
  return {
    host,
    url,
    dir,
    stop,
    async mark() {
      await new Promise((r) => setTimeout(r, 200));
      offset = (await read()).length - 1;
    },
    async served(settleMs = 200) {
      await new Promise((r) => setTimeout(r, settleMs));
      const lines = (await read()).slice(offset).filter((l) =>
        l.includes('msg="response completed')
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
