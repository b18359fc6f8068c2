/**
 * Round trip: the snapshot of a source registry, used as the images.yaml of a thin manifest,
 * gives a dry run with nothing to do against a destination that already holds everything.
 */
import assert from "node:assert/strict";
import { runCli } from "../cli/run_cli.ts";
import { fillGolden } from "../snapshot/golden_content.ts";
import { startRegistry } from "./registry_process.ts";
import { writeTree } from "../manifest/fixtures.ts";

async function thinDir(imagesYaml: string, src: string, dst: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "cip-round-trip-" });
  await writeTree(dir, {
    "manifests/x/promoter-manifest.yaml":
      `registries:\n- name: ${src}\n  src: true\n- name: ${dst}\n`,
    "images/x/images.yaml": imagesYaml,
  });
  return dir;
}

/** `cip run` (a dry run) on the thin directory, as a user runs it. */
function dryRun(dir: string) {
  return runCli(["run", `--thin-manifest-dir=${dir}`]);
}

Deno.test("a snapshot as images.yaml promotes nothing into a destination that holds it all", async () => {
  const src = await startRegistry();
  const dst = await startRegistry();
  const dirs: string[] = [];
  try {
    await fillGolden(src.url);
    await fillGolden(dst.url);
    const snap = await runCli([`--snapshot=${src.host}/prod`]);
    assert.equal(snap.code, 0, snap.stderr);
    const digests = snap.stdout.match(/"sha256:/g)?.length ?? 0;
    assert.ok(digests > 0);

    const full = await thinDir(snap.stdout, `${src.host}/prod`, `${dst.host}/prod`);
    dirs.push(full);
    const r = await dryRun(full);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /to copy|to tag|not found|refused/);
    assert.match(
      r.stderr,
      new RegExp(
        `${dst.host}/prod \\(dry run\\): 0 to copy, 0 tags to add, \\d+ already present, ` +
          "0 not found, 0 failed, 0 refused",
      ),
    );

    // The control: the same images.yaml against an empty path has everything to copy.
    const empty = await thinDir(snap.stdout, `${src.host}/prod`, `${dst.host}/empty`);
    dirs.push(empty);
    const c = await dryRun(empty);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /to copy \(\d+\):/);
    assert.doesNotMatch(c.stderr, new RegExp(`${dst.host}/empty \\(dry run\\): 0 to copy`));
  } finally {
    await src.stop();
    await dst.stop();
    for (const d of dirs) await Deno.remove(d, { recursive: true });
  }
});
