/**
 * A `docker-registry` for benchmarks: 127.0.0.1, a free port, temporary storage, and its
 * access log on, so every request any client makes can be counted from the log.
 */

/** A running benchmark registry. */
export interface BenchRegistry {
  /** `127.0.0.1:PORT`. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Requests the registry has answered so far (read from its access log). */
  requests(): Promise<number>;
  /** Stops the registry and removes its storage. */
  stop(): Promise<void>;
}

/** Starts `docker-registry serve` with an access log; fails when the binary is missing. */
export async function startBenchRegistry(): Promise<BenchRegistry> {
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
      "  level: error",
      "  accesslog:",
      "    disabled: false",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${dir}/storage`,
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "  secret: cip-bench-secret",
      "",
    ].join("\n"),
  );
  const logFile = `${dir}/access.log`;
  const log = await Deno.open(logFile, { write: true, create: true });
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("docker-registry", {
      args: ["serve", config],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
  } catch (e) {
    log.close();
    await Deno.remove(dir, { recursive: true });
    throw new Error("the benchmark needs docker-registry on PATH", { cause: e });
  }
  const drained = child.stdout.pipeTo(log.writable).catch(() => {});
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
    await drained;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  for (let i = 0;; i++) {
    try {
      const res = await fetch(`${url}/v2/`);
      await res.body?.cancel();
      break;
    } catch (e) {
      if (i > 200) {
        await stop();
        throw new Error(`docker-registry at ${url} did not come up`, { cause: e });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const count = async () => {
    const text = await Deno.readTextFile(logFile);
    return text.split("\n").filter((l) => / "[A-Z]+ \/v2\//.test(l)).length;
  };
  // The log reaches the file through a pipe: count until two reads 100 ms apart agree.
  const requests = async () => {
    let last = await count();
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      const now = await count();
      if (now === last) return now;
      last = now;
    }
  };
  return { host: `127.0.0.1:${port}`, url, requests, stop };
}
