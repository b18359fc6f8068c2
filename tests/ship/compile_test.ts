import assert from "node:assert/strict";
import {
  binaryName,
  compileArgs,
  releaseTagProblem,
  STAMP_PATH,
  stampText,
  TARGETS,
} from "../../.github/build/compile.ts";
import { PERMISSION_FLAGS } from "../../.github/build/permission_flags.ts";
import { BUILD_INFO_URL, parseBuildInfo } from "../../src/version.ts";
import { copyProject } from "./project_copy.ts";
import { pathExists } from "../fixtures/path_exists.ts";

const ROOT = new URL("../../", import.meta.url);
const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
const COMMIT = "0123456789abcdef0123456789abcdef01234567";

Deno.test("compile:all builds for linux, macOS (x86_64 and arm64) and windows x86_64", () => {
  assert.deepEqual([...TARGETS], [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
  ]);
  assert.deepEqual(TARGETS.map(binaryName), [
    "cip-x86_64-unknown-linux-gnu",
    "cip-aarch64-unknown-linux-gnu",
    "cip-x86_64-apple-darwin",
    "cip-aarch64-apple-darwin",
    "cip-x86_64-pc-windows-msvc.exe",
  ]);
});

Deno.test("deno compile gets the permission set, --no-prompt, the stamp and the target", () => {
  assert.deepEqual(compileArgs("aarch64-apple-darwin"), [
    "compile",
    "--permission-set=cip",
    "--no-prompt",
    "--include",
    "dist/build_info.txt",
    "--output",
    "dist/cip-aarch64-apple-darwin",
    "--target",
    "aarch64-apple-darwin",
    "main.ts",
  ]);
  assert.deepEqual(compileArgs(), [
    "compile",
    ...PERMISSION_FLAGS,
    "--include",
    STAMP_PATH,
    "--output",
    "dist/cip",
    "main.ts",
  ]);
  for (const target of TARGETS) {
    const args = compileArgs(target);
    assert.ok(!args.some((a) => a === "-A" || a === "--allow-all" || a.startsWith("--allow-")));
  }
});

Deno.test("the cip permission set allows net, read, write, env and run, and nothing else", () => {
  assert.deepEqual(config.permissions.cip, {
    read: true,
    write: true,
    net: true,
    env: true,
    run: true,
  });
});

Deno.test("deno task compile and compile:all run the build script", () => {
  const script = "deno run --allow-read --allow-write --allow-run --allow-env " +
    ".github/build/compile.ts";
  assert.equal(config.tasks.compile, script);
  assert.equal(config.tasks["compile:all"], `${script} --all`);
});

Deno.test("the build script writes the stamp where src/version.ts reads it", () => {
  assert.equal(new URL(STAMP_PATH, ROOT).href, BUILD_INFO_URL.href);
  assert.deepEqual(parseBuildInfo(stampText(COMMIT, true)), { commit: COMMIT, modified: true });
});

Deno.test("the stamp is a data file to deno compile, which takes .json or .ts for modules", () => {
  assert.doesNotMatch(STAMP_PATH, /\.(json|[cm]?[jt]sx?|wasm)$/);
});

Deno.test("a release tag must be v followed by deno.json's version", () => {
  assert.equal(releaseTagProblem("v1.2.3", "1.2.3"), undefined);
  assert.match(releaseTagProblem("v1.2.4", "1.2.3")!, /does not match deno.json's version 1\.2\.3/);
  assert.match(releaseTagProblem("1.2.3", "1.2.3")!, /expected v1\.2\.3/);
});

/**
 * Runs the build script of a copy of the project with a stand-in deno that records each
 * command line and the stamp present at that moment, then exits with `exit`.
 */
async function build(args: string[], exit = 0) {
  const dir = await copyProject();
  try {
    const log = `${dir}/deno.log`;
    const fake = `${dir}/fake-deno`;
    await Deno.writeTextFile(
      fake,
      `#!/bin/sh\necho "$*" >>"${log}"\ncat ${STAMP_PATH} >>"${log}"\nexit ${exit}\n`,
    );
    await Deno.chmod(fake, 0o755);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", "--allow-run", "--allow-env", "--quiet"]
        .concat([`${dir}/.github/build/compile.ts`, ...args]),
      env: { CIP_DENO: fake, CIP_COMMIT: COMMIT },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const calls = await pathExists(log) ? (await Deno.readTextFile(log)).trimEnd().split("\n") : [];
    const stampLeft = await pathExists(`${dir}/${STAMP_PATH}`);
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr), calls, stampLeft };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("compile --all compiles every target with the commit stamped, then removes it", async () => {
  const r = await build(["--all"]);
  assert.equal(r.code, 0, r.stderr);
  const stamp = stampText(COMMIT, false).trimEnd();
  assert.deepEqual(r.calls, TARGETS.flatMap((t) => [compileArgs(t).join(" "), stamp]));
  assert.equal(r.stampLeft, false);
});

Deno.test("compile builds for this machine only", async () => {
  const r = await build([]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.calls, [compileArgs().join(" "), stampText(COMMIT, false).trimEnd()]);
});

Deno.test("compile stops at the first failing target and still removes the stamp", async () => {
  const r = await build(["--all"], 3);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /deno compile for x86_64-unknown-linux-gnu failed/);
  assert.equal(r.calls.length, 2);
  assert.equal(r.stampLeft, false);
});

Deno.test("compile refuses a release tag that does not match the version, building nothing", async () => {
  const r = await build(["--all", "--release-tag=v99.0.0"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /release tag v99\.0\.0 does not match/);
  assert.deepEqual(r.calls, []);
});

Deno.test("compile accepts the release tag of deno.json's version", async () => {
  const r = await build([`--release-tag=v${config.version}`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.calls.length, 2);
});
