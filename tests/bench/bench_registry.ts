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
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("docker-registry", {
      args: ["serve", config],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
  } catch (e) {
    await Deno.remove(dir, { recursive: true });
    throw new Error("the benchmark needs docker-registry on PATH", { cause: e });
  }
  // Count access log lines (one per request) as they arrive on stdout.
  let counted = 0;
  const drained = (async () => {
    let rest = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      counted += lines.filter((l) => / "[A-Z]+ \/v2\//.test(l)).length;
    }
  })().catch(() => {});
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
  // The log arrives through a pipe: count until two reads 100 ms apart agree.
  const requests = async () => {
    let last = counted;
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      const now = counted;
      if (now === last) return now;
      last = now;
    }
  };
  // The readiness probe must be in our own log: else another process answered on the port.
  if (await requests() === 0) {
    await stop();
    throw new Error(`another process answers on ${url}; run the benchmark again`);
  }
  return { host: `127.0.0.1:${port}`, url, requests, stop };
}
