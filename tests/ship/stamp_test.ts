import assert from "node:assert/strict";
import { PERMISSION_FLAGS } from "../../.github/build/permission_flags.ts";
import { STAMP_PATH, stampText } from "../../.github/build/compile.ts";
import { VERSION } from "../../src/version.ts";
import { copyProject } from "./project_copy.ts";

const COMMIT = "fedcba9876543210fedcba9876543210fedcba98";
const SMOKE = new URL("../../.github/build/smoke.ts", import.meta.url).pathname;

/**
 * Gives `body` a copy of the project with a build stamp, as `deno task compile` leaves it for
 * the build, and removes the copy afterwards.
 */
async function withStampedCopy(
  modified: boolean,
  body: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await copyProject();
  try {
    await Deno.mkdir(`${dir}/dist`);
    await Deno.writeTextFile(`${dir}/${STAMP_PATH}`, stampText(COMMIT, modified));
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function deno(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** `cip --version` of the copy in `dir`, run with these Deno flags. */
function version(dir: string, flags: readonly string[]) {
  return deno(["run", ...flags, "--quiet", `${dir}/main.ts`, "--version"]);
}

Deno.test("a build with a stamp reports its commit in --version", async () => {
  await withStampedCopy(false, async (dir) => {
    const r = await version(dir, PERMISSION_FLAGS);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `cip ${VERSION} (commit fedcba987654)\n`);
  });
});

Deno.test("a build from a modified tree says so in --version", async () => {
  await withStampedCopy(true, async (dir) => {
    const r = await version(dir, PERMISSION_FLAGS);
    assert.equal(r.stdout, `cip ${VERSION} (commit fedcba987654, modified)\n`);
  });
});

Deno.test("--version run from source without any permission says commit unknown", async () => {
  await withStampedCopy(false, async (dir) => {
    const r = await version(dir, ["--no-prompt"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `cip ${VERSION} (commit unknown)\n`);
    assert.equal(r.stderr, "");
  });
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

/** Runs smoke.ts on a stand-in binary, expecting `commit`. */
async function smoke(dir: string, commit: string) {
  const flags = ["--allow-read", "--allow-run", "--allow-env", "--quiet"];
  return deno(["run", ...flags, SMOKE, await standIn(dir)], { CIP_COMMIT: commit });
}

Deno.test("smoke.ts passes a binary that reports the expected commit", async () => {
  await withStampedCopy(false, async (dir) => {
    const r = await smoke(dir, COMMIT);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /passed/);
  });
});

Deno.test("smoke.ts fails a binary that reports another commit", async () => {
  await withStampedCopy(false, async (dir) => {
    const r = await smoke(dir, "1".repeat(40));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /smoke: --version: want "cip [^"]+ \(commit 111111111111\)\\n"/);
  });
});
