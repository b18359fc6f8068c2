/** Runs `main.ts` as a subprocess, as users do, and captures its exit code and output. */
import { PERMISSION_FLAGS } from "../../.github/build/permission_flags.ts";

/** The outcome of one `cip` invocation. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One `deno` subprocess: its arguments, and an optional working directory and environment. */
export interface DenoRun {
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
}

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Runs `deno ...args` with NO_COLOR set and no stdin, and captures its exit code and output. */
export async function runDeno(run: DenoRun): Promise<CliResult> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: run.args,
    cwd: run.cwd,
    env: { NO_COLOR: "1", ...run.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  const out = await cmd.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * Runs `deno run main.ts ...args` with exactly the compiled binary's permissions (not -A), with
 * an optional working directory and environment.
 */
export async function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return await runDeno({
    args: ["run", ...PERMISSION_FLAGS, "--quiet", MAIN, ...args],
    cwd: options.cwd,
    env: options.env,
  });
}
