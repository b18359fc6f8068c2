/** A fake GitHub release server on 127.0.0.1 for the action's install script, and a runner. */
import { sha256hex } from "../fixtures/images.ts";

/** A release server: its base URL, the paths it was asked for, and a way to stop it. */
export interface FakeReleases {
  base: string;
  requested: string[];
  close: () => Promise<void>;
}

/** Serves `files` (URL path -> bytes) on 127.0.0.1; anything else is a 404. */
export function serveReleases(files: Map<string, Uint8Array>): FakeReleases {
  const requested: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => {
      const path = new URL(req.url).pathname;
      requested.push(path);
      const body = files.get(path);
      if (body === undefined) return new Response("Not Found", { status: 404 });
      return new Response(body.slice());
    },
  );
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    requested,
    close: () => server.shutdown(),
  };
}

/** A SHA256SUMS file as `sha256sum` writes it: `<hex>  <name>` per line. */
export function sha256sums(assets: Map<string, Uint8Array>): string {
  return [...assets].map(([name, bytes]) => `${sha256hex(bytes)}  ${name}\n`).join("");
}

/** The outcome of running a shell script. */
export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a script with `shell` (sh by default; the action uses bash) and only PATH, HOME and
 * `env` in its environment, so nothing of the test's own environment (a proxy, GitHub's
 * GITHUB_OUTPUT) reaches it.
 */
export async function runScript(
  script: string,
  env: Record<string, string>,
  shell = "sh",
): Promise<ScriptResult> {
  const out = await new Deno.Command(shell, {
    args: [script],
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: Deno.env.get("HOME") ?? "/",
      ...env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
