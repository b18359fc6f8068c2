import assert from "node:assert/strict";
import { runScript } from "./fake_release.ts";

const RUN = new URL("../../.github/action/run.sh", import.meta.url).pathname;

/** Runs run.sh with a stand-in cip that prints one argument per line; returns those lines. */
async function argsOf(env: Record<string, string>, shell = "sh") {
  const dir = await Deno.makeTempDir();
  const bin = `${dir}/cip`;
  await Deno.writeTextFile(bin, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done\nexit 7\n`);
  await Deno.chmod(bin, 0o755);
  try {
    const r = await runScript(RUN, { CIP_BIN: bin, ...env }, shell);
    return { ...r, args: r.stdout === "" ? [] : r.stdout.trimEnd().split("\n") };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("run.sh turns every action input into its cip flag", async () => {
  const r = await argsOf({
    CIP_MANIFEST: "manifests/promoter-manifest.yaml",
    CIP_THIN_MANIFEST_DIR: "k8s.gcr.io",
    CIP_CHECKS: "tag-move,image-size",
    CIP_SKIP_CHECKS: "removal",
    CIP_DIFF_BASE: "0123abc",
    CIP_KEY_FILES: "/keys/a.json,/keys/b.json",
    CIP_REPORT: "report.json",
    CIP_LOG_LEVEL: "debug",
    CIP_CONFIRM: "true",
  });
  assert.deepEqual(r.args, [
    "--manifest=manifests/promoter-manifest.yaml",
    "--thin-manifest-dir=k8s.gcr.io",
    "--checks=tag-move,image-size",
    "--skip-checks=removal",
    "--diff-base=0123abc",
    "--key-files=/keys/a.json,/keys/b.json",
    "--report=report.json",
    "--log-level=debug",
    "--confirm",
  ]);
});

Deno.test("run.sh leaves out empty inputs and is a dry run unless confirm is true", async () => {
  for (const confirm of ["false", ""]) {
    const r = await argsOf({ CIP_THIN_MANIFEST_DIR: "dir", CIP_CONFIRM: confirm, CIP_CHECKS: "" });
    assert.deepEqual(r.args, ["--thin-manifest-dir=dir"]);
  }
});

Deno.test("run.sh refuses a confirm input other than true or false, without running cip", async () => {
  const r = await argsOf({ CIP_MANIFEST: "m.yaml", CIP_CONFIRM: "yes" });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /the confirm input must be true or false, not 'yes'/);
  assert.deepEqual(r.args, []);
});

Deno.test("run.sh splits extra args at whitespace and never expands globs or code", async () => {
  const r = await argsOf({
    CIP_MANIFEST: "a b.yaml",
    CIP_ARGS: "--json-log-summary\n  --max-image-size=10 * $(echo hi)",
  });
  assert.deepEqual(r.args, [
    "--manifest=a b.yaml",
    "--json-log-summary",
    "--max-image-size=10",
    "*",
    "$(echo",
    "hi)",
  ]);
});

Deno.test("run.sh keeps input values verbatim, quotes and dollars included", async () => {
  const r = await argsOf({
    CIP_DIFF_BASE: `origin/main'; echo "$HOME`,
    CIP_MANIFEST: "C:\\m.yaml",
  });
  assert.deepEqual(r.args, ["--manifest=C:\\m.yaml", `--diff-base=origin/main'; echo "$HOME`]);
});

Deno.test("run.sh passes on cip's exit code", async () => {
  const r = await argsOf({ CIP_MANIFEST: "m.yaml" });
  assert.equal(r.code, 7);
});

Deno.test("run.sh works under bash, as the action runs it", async () => {
  const r = await argsOf({ CIP_MANIFEST: "m.yaml", CIP_CONFIRM: "true", CIP_ARGS: "* a" }, "bash");
  assert.deepEqual(r.args, ["--manifest=m.yaml", "--confirm", "*", "a"]);
});
