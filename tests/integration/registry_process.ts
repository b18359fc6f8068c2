/**
 * Starts real CNCF Distribution registries (`docker-registry serve`) for integration tests:
 * on 127.0.0.1, a free port, temporary storage, deletes disabled, optional htpasswd auth.
 */

/** A running registry process. */
export interface RegistryProcess {
  /** `127.0.0.1:PORT`, as registry names and image references write it. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** The temporary directory holding config, storage, htpasswd and the log file. */
  dir: string;
  /** The registry's log file (stdout and stderr). */
  logFile: string;
  /** Kills the registry and removes its temporary directory. */
  stop(): Promise<void>;
}

/** Options of startRegistry. */
export interface RegistryOptions {
  /** Require HTTP basic auth with this one user (an htpasswd file made with bcrypt). */
  htpasswd?: { user: string; password: string };
  /**
   * What the log file holds: `"info"` (default) the registry's own lines, one "response
   * completed" per request; `"access"` only errors and the access log, one line per request.
   */
  log?: "info" | "access";
}

/** Thrown when a binary the integration tests need is not installed. */
export class MissingBinaryError extends Error {
  /** `name` is the missing program. */
  constructor(name: string) {
    const ci = Deno.env.get("CI") ? " (CI is set: integration tests must run in CI)" : "";
    super(
      `integration tests need "${name}" on PATH but it is not installed${ci}; ` +
        "install it (Debian: docker-registry, skopeo, apache2-utils) or run .ci/run",
    );
    this.name = "MissingBinaryError";
  }
}

const found = new Map<string, string>();

/**
 * Returns the path of `name` on PATH, or throws MissingBinaryError. Tests never skip: a
 * missing binary fails them, in CI and locally alike.
 */
export function requireBinary(name: string): string {
  const known = found.get(name);
  if (known !== undefined) return known;
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir === "") continue;
    const path = `${dir}/${name}`;
    try {
      const st = Deno.statSync(path);
      if (st.isFile && ((st.mode ?? 0o111) & 0o111) !== 0) {
        found.set(name, path);
        return path;
      }
    } catch {
      // not in this directory
    }
  }
  throw new MissingBinaryError(name);
}

/** Finds a TCP port on 127.0.0.1 that is free right now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function configYaml(
  dir: string,
  port: number,
  log: "info" | "access",
  htpasswdPath?: string,
): string {
  const lines = [
    "version: 0.1",
    "log:",
    `  level: ${log === "access" ? "error" : "info"}`,
    "  accesslog:",
    `    disabled: ${log !== "access"}`,
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${dir}/storage`,
    "  delete:",
    "    enabled: false",
    "  maintenance:",
    "    uploadpurging:",
    "      enabled: false",
    "http:",
    `  addr: 127.0.0.1:${port}`,
    "  secret: cip-integration-test-secret",
  ];
  if (htpasswdPath !== undefined) {
    lines.push("auth:", "  htpasswd:", "    realm: cip-test", `    path: ${htpasswdPath}`);
  }
  return lines.join("\n") + "\n";
}

async function makeHtpasswd(dir: string, user: string, password: string): Promise<string> {
  const bin = requireBinary("htpasswd");
  const out = await new Deno.Command(bin, {
    args: ["-Bbn", user, password],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`htpasswd failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  const path = `${dir}/htpasswd`;
  await Deno.writeFile(path, out.stdout);
  return path;
}

/** Waits until `url/v2/` gives any HTTP answer, or the process exits, or 20 s pass. */
async function waitReady(
  url: string,
  exited: Promise<Deno.CommandStatus>,
  logFile: string,
): Promise<void> {
  let done = false;
  exited.then(() => done = true, () => done = true);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (done) break;
    try {
      const res = await fetch(`${url}/v2/`);
      await res.body?.cancel();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  let log = "";
  try {
    log = await Deno.readTextFile(logFile);
  } catch {
    // no log written
  }
  throw new Error(
    `docker-registry at ${url} did not come up${done ? " (it exited)" : ""}; log:\n${log}`,
  );
}

async function startOnce(opts: RegistryOptions): Promise<RegistryProcess> {
  const bin = requireBinary("docker-registry");
  const dir = await Deno.makeTempDir({ prefix: "cip-registry-" });
  try {
    const htpasswdPath = opts.htpasswd
      ? await makeHtpasswd(dir, opts.htpasswd.user, opts.htpasswd.password)
      : undefined;
    const port = freePort();
    const configPath = `${dir}/config.yml`;
    await Deno.writeTextFile(configPath, configYaml(dir, port, opts.log ?? "info", htpasswdPath));
    const logFile = `${dir}/registry.log`;
    // The shell hands the registry the log file itself: it writes there directly, unbuffered by
    // this process, so the file holds every line it has logged.
    const child = new Deno.Command("sh", {
      args: ["-c", `exec "$0" serve "$1" >"$2" 2>&1`, bin, configPath, logFile],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const url = `http://127.0.0.1:${port}`;
    const stop = async () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // already exited
      }
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    };
    try {
      await waitReady(url, child.status, logFile);
    } catch (e) {
      await stop();
      throw e;
    }
    return { host: `127.0.0.1:${port}`, url, dir, logFile, stop };
  } catch (e) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw e;
  }
}

/**
 * Starts `docker-registry serve` on 127.0.0.1 with a free port and temporary storage and waits
 * until `/v2/` answers. Throws MissingBinaryError when the binary is absent (never skips).
 * Retries twice when the port was taken between choosing and binding it.
 */
export async function startRegistry(opts: RegistryOptions = {}): Promise<RegistryProcess> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(opts);
    } catch (e) {
      if (e instanceof MissingBinaryError) throw e;
      last = e;
    }
  }
  throw last;
}
