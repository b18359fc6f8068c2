/**
 * For benchmarks and write-counting tests: a `docker-registry` process whose log goes straight
 * to a file, so the requests it served (one "response completed" line each, with method and
 * bytes written) can be counted for any client, cip or skopeo alike.
 */
import { requireBinary } from "./registry_process.ts";

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

/** Starts `docker-registry serve` on a free loopback port with its log in a file. */
export async function startLoggedRegistry(): Promise<LoggedRegistry> {
  const bin = requireBinary("docker-registry");
  const dir = await Deno.makeTempDir({ prefix: "cip-bench-registry-" });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const config = `${dir}/config.yml`;
  await Deno.writeTextFile(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: info",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${dir}/storage`,
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "  secret: cip-bench",
      "",
    ].join("\n"),
  );
  const log = `${dir}/registry.log`;
  const child = new Deno.Command("sh", {
    args: ["-c", `exec "$0" serve "$1" >"$2" 2>&1`, bin, config, log],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0;; i++) {
    try {
      await (await fetch(`${url}/v2/`)).body?.cancel();
      break;
    } catch (e) {
      if (i > 200) throw new Error(`docker-registry at ${url} did not start`, { cause: e });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  let offset = 0;
  const read = async () => (await Deno.readTextFile(log)).split("\n");
  return {
    host: `127.0.0.1:${port}`,
    url,
    dir,
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
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
