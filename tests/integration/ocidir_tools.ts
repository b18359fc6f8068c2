/**
 * What the ocidir interoperability tests need from the machine: skopeo, and a throwaway
 * `docker-registry` on 127.0.0.1 with temporary storage.
 */
import { join } from "node:path";
import { tempDir } from "../fixtures/temp_dirs.ts";

/** Whether a program is on PATH. */
export function hasBinary(name: string): boolean {
  try {
    return new Deno.Command(name, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/**
 * Whether to skip tests needing these programs: only when one is missing outside CI (in CI a
 * missing program makes the tests run and fail).
 */
export function skipWithout(...names: string[]): boolean {
  return Deno.env.get("CI") === undefined && !names.every(hasBinary);
}

/** Runs skopeo with the given arguments; throws with its stderr when it fails. */
export async function skopeo(...args: string[]): Promise<string> {
  return await skopeoIn(undefined, ...args);
}

/** Runs skopeo in a working directory; throws with its stderr when it fails. */
export async function skopeoIn(cwd: string | undefined, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("skopeo", {
    args: ["--insecure-policy", ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (!out.success) throw new Error(`skopeo ${args.join(" ")} failed: ${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout);
}

/** A running registry: its `host:port`, and how to stop it. */
export interface RunningRegistry {
  host: string;
  stop(): Promise<void>;
}

/** Starts `docker-registry` on a free 127.0.0.1 port and waits until it says it listens. */
export async function startDockerRegistry(): Promise<RunningRegistry> {
  const dir = await tempDir("registry-");
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const config = join(dir, "config.yml");
  await Deno.writeTextFile(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: info",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${join(dir, "storage")}`,
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "",
    ].join("\n"),
  );
  const child = new Deno.Command("docker-registry", {
    args: ["serve", config],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const dec = new TextDecoder();
  let log = "";
  const reader = child.stderr.getReader();
  while (!log.includes("listening on")) {
    const { done, value } = await reader.read();
    if (done) {
      await child.status;
      throw new Error(`docker-registry did not start: ${log}`);
    }
    log += dec.decode(value);
  }
  // Keep draining its log so the registry never blocks on a full pipe.
  const drain = (async () => {
    while (!(await reader.read()).done) { /* discard */ }
  })();
  return {
    host: `127.0.0.1:${port}`,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await drain.catch(() => {});
    },
  };
}
