import assert from "node:assert/strict";
import { PERMISSION_FLAGS } from "../../.github/build/permission_flags.ts";
import { STAMP_PATH, stampText } from "../../.github/build/compile.ts";
import { VERSION } from "../../src/version.ts";
import { copyProject } from "./project_copy.ts";

const COMMIT = "fedcba9876543210fedcba9876543210fedcba98";

/** A copy of the project with a build stamp, as `deno task compile` leaves it for the build. */
async function stampedCopy(modified = false): Promise<string> {
  const dir = await copyProject();
  await Deno.mkdir(`${dir}/dist`);
  await Deno.writeTextFile(`${dir}/${STAMP_PATH}`, stampText(COMMIT, modified));
  return dir;
}

async function run(program: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(program, {
    args,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("a build with a stamp reports its commit in --version", async () => {
  const dir = await stampedCopy();
  const r = await run(Deno.execPath(), [
    "run",
    ...PERMISSION_FLAGS,
    "--quiet",
    `${dir}/main.ts`,
    "--version",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `cip ${VERSION} (commit fedcba987654)\n`);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a build from a modified tree says so in --version", async () => {
  const dir = await stampedCopy(true);
  const r = await run(Deno.execPath(), [
    "run",
    ...PERMISSION_FLAGS,
    "--quiet",
    `${dir}/main.ts`,
    "--version",
  ]);
  assert.equal(r.stdout, `cip ${VERSION} (commit fedcba987654, modified)\n`);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--version run from source without any permission says commit unknown", async () => {
  const dir = await stampedCopy();
  const r = await run(Deno.execPath(), [
    "run",
    "--no-prompt",
    "--quiet",
    `${dir}/main.ts`,
    "--version",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `cip ${VERSION} (commit unknown)\n`);
  assert.equal(r.stderr, "");
  await Deno.remove(dir, { recursive: true });
});

/** A stand-in for a compiled binary: runs the stamped copy with the binary's permissions. */
async function standIn(dir: string): Promise<string> {
  const bin = `${dir}/cip`;
  const flags = PERMISSION_FLAGS.join(" ");
  await Deno.writeTextFile(
    bin,
    `#!/bin/sh\nexec "${Deno.execPath()}" run ${flags} --quiet "${dir}/main.ts" "$@"\n`,
  );
  await Deno.chmod(bin, 0o755);
  return bin;
}

const SMOKE = new URL("../../.github/build/smoke.ts", import.meta.url).pathname;

Deno.test("smoke.ts passes a binary that reports the expected commit", async () => {
  const dir = await stampedCopy();
  const r = await run(Deno.execPath(), [
    "run",
    "--allow-read",
    "--allow-run",
    "--allow-env",
    "--quiet",
    SMOKE,
    await standIn(dir),
  ], { CIP_COMMIT: COMMIT });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /passed/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("smoke.ts fails a binary that reports another commit", async () => {
  const dir = await stampedCopy();
  const other = "1".repeat(40);
  const r = await run(Deno.execPath(), [
    "run",
    "--allow-read",
    "--allow-run",
    "--allow-env",
    "--quiet",
    SMOKE,
    await standIn(dir),
  ], { CIP_COMMIT: other });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /smoke: --version: want "cip [^"]+ \(commit 111111111111\)\\n"/);
  await Deno.remove(dir, { recursive: true });
});
