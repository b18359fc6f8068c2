/**
 * Checks a built `cip` binary where it was built (CI and the release workflow run it):
 * `--version` names deno.json's version and the commit ($CIP_COMMIT, else git's HEAD), and a
 * manifest it cannot read gives a clear error, never a Deno permission message or a prompt.
 *
 * Usage: deno run --allow-read --allow-run --allow-env .github/build/smoke.ts BINARY
 */
import { VERSION, versionLine } from "../../src/version.ts";

/** The outcome of one run of the binary. */
interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(bin: string, args: string[]): Promise<Outcome> {
  const out = await new Deno.Command(bin, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Runs the checks against a binary; returns what is wrong (nothing when it passes). */
export async function smoke(bin: string, commit: string): Promise<string[]> {
  const problems: string[] = [];
  const want = `${versionLine(VERSION, { commit, modified: false })}\n`;
  const version = await run(bin, ["--version"]);
  if (version.code !== 0 || version.stdout !== want) {
    problems.push(
      `--version: want ${JSON.stringify(want)} and exit 0, got ${JSON.stringify(version.stdout)} ` +
        `exit ${version.code} ${version.stderr}`,
    );
  }
  // A bare file name: a message naming the file, relative or resolved, contains it on any OS.
  const missing = `no-such-manifest-${crypto.randomUUID()}.yaml`;
  const bad = await run(bin, [`--manifest=${missing}`, "--parse-only"]);
  if (bad.code === 0 || !bad.stderr.includes(missing) || /--allow-|NotCapable/.test(bad.stderr)) {
    problems.push(
      `an unreadable manifest: want a non-zero exit and a message naming ${missing} without a ` +
        `Deno permission error, got exit ${bad.code}: ${bad.stderr}`,
    );
  }
  return problems;
}

/** The commit the binary should report: $CIP_COMMIT, else git's HEAD. */
async function expectedCommit(): Promise<string> {
  const given = Deno.env.get("CIP_COMMIT");
  if (given) return given;
  const out = await new Deno.Command("git", { args: ["rev-parse", "HEAD"], stderr: "inherit" })
    .output();
  if (!out.success) throw new Error("git rev-parse HEAD failed");
  return new TextDecoder().decode(out.stdout).trim();
}

if (import.meta.main) {
  let bin = Deno.args[0];
  if (bin === undefined) {
    console.error("usage: smoke.ts BINARY");
    Deno.exit(2);
  }
  if (Deno.build.os === "windows" && !bin.endsWith(".exe")) bin += ".exe";
  const problems = await smoke(bin, await expectedCommit());
  for (const p of problems) console.error(`smoke: ${p}`);
  if (problems.length === 0) console.error(`smoke: ${bin} passed`);
  Deno.exit(problems.length === 0 ? 0 : 1);
}
