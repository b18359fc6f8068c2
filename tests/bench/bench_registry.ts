/**
 * A `docker-registry` for benchmarks: 127.0.0.1, a free port, temporary storage, and its
 * access log on, so every request any client makes can be counted from the log.
 */
import { startRegistry } from "../integration/registry_process.ts";

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
  const { host, url, logFile, stop } = await startRegistry({ log: "access" });
  const count = async () => {
    const text = await Deno.readTextFile(logFile);
    return text.split("\n").filter((l) => / "[A-Z]+ \/v2\//.test(l)).length;
  };
  // The registry may log a request just after answering it: count until two reads 100 ms apart
  // agree.
  const requests = async () => {
    let last = await count();
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      const now = await count();
      if (now === last) return now;
      last = now;
    }
  };
  // The readiness probe must be in this registry's log: else another process answered on the port.
  if (await requests() === 0) {
    await stop();
    throw new Error(`another process answers on ${url}; run the benchmark again`);
  }
  return { host, url, requests, stop };
}
