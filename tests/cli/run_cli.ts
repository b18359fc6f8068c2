/** Runs `main.ts` as a subprocess, as users do, and captures its exit code and output. */
import { PERMISSION_FLAGS } from "../../.github/build/permission_flags.ts";

/** The outcome of one `cip` invocation. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/**
 * Runs `deno run main.ts ...args` with exactly the compiled binary's permissions (not -A), with
 * an optional working directory and environment.
 */
export async function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSION_FLAGS, "--quiet", MAIN, ...args],
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  const out = await cmd.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
