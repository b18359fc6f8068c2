/** The checks that read registries, through the command line's dry run against a real registry. */
import assert from "node:assert/strict";
import { type TempRepo, tempRepo } from "../manifest/git_base/git_repo.ts";
import { lineOf, plainManifest } from "../fixtures/manifest_text.ts";
import {
  forgetManifest,
  pushBig,
  pushBrokenIndex,
  type World,
  world,
} from "../checks/registry_world.ts";
import { runCli } from "./run_cli.ts";

const FILE = "promoter-manifest.yaml";

Deno.test("cip's dry run fails a pull request adding an oversized image and a list missing a child", async () => {
  const w = await world();
  const repo = await tempRepo();
  try {
    const small = await w.small("app", 1);
    const big = await pushBig(w, "app", 2);
    const index = await pushBrokenIndex(w, "app", 3);
    const base = plainManifest(w.src, w.dsts, [
      { name: "app", dmap: { [small.manifest.digest]: ["1.0"] } },
    ]);
    const head = plainManifest(w.src, w.dsts, [{
      name: "app",
      dmap: {
        [small.manifest.digest]: ["1.0"],
        [big.manifest.digest]: ["2.0"],
        [index.manifest.digest]: ["multi"],
      },
    }]);
    const baseCommit = await repo.commit({ [FILE]: base }, "base");
    await repo.commit({ [FILE]: head }, "pull request");
    const r = await runCli([
      `--manifest=${FILE}`,
      `--diff-base=${baseCommit}`,
      "--max-image-size=0.02",
    ], {
      cwd: repo.dir,
      env: { GITHUB_ACTIONS: "true" },
    });
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.split("\n").filter((l) => l.startsWith("::"));
    assert.equal(lines.length, 2, r.stdout);
    assert.match(
      lines[0]!,
      new RegExp(
        `^::error file=${FILE},line=${lineOf(head, big.manifest.digest)},title=cip image-size::` +
          `${w.src}/app@${big.manifest.digest} is 2\\d\\.\\d KiB, more than the 20\\.5 KiB`,
      ),
    );
    assert.match(
      lines[1]!,
      new RegExp(
        `^::error file=${FILE},line=${lineOf(head, index.manifest.digest)},` +
          `title=cip manifest-list-children::child ${index.children[1]!.manifest.digest} `,
      ),
    );
    assert.match(r.stderr, /checks: 5 ran .*, 2 errors, 0 warnings/);
    const roomy = await runCli([
      `--manifest=${FILE}`,
      `--diff-base=${baseCommit}`,
      "--skip-checks=manifest-list-children",
    ], {
      cwd: repo.dir,
    });
    assert.equal(roomy.code, 0, roomy.stderr);
  } finally {
    await repo.remove();
    await w.stop();
  }
});

Deno.test("without a base, the dry run's registry checks read only the images it would copy", async () => {
  const w = await world();
  const dir = await Deno.makeTempDir();
  try {
    const old = await pushBig(w, "app", 1);
    const oldOnly = plainManifest(w.src, w.dsts, [
      { name: "app", dmap: { [old.manifest.digest]: ["1.0"] } },
    ]);
    await Deno.writeTextFile(`${dir}/${FILE}`, oldOnly);
    const first = await runCli([`--manifest=${FILE}`, "--confirm"], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    // Promoted everywhere, then gone from the source: reading it there would fail.
    await forgetManifest(w.reg, "stage/app", old.manifest.digest);
    const fresh = await pushBig(w, "app", 2);
    const head = plainManifest(w.src, w.dsts, [{
      name: "app",
      dmap: { [old.manifest.digest]: ["1.0"], [fresh.manifest.digest]: ["2.0"] },
    }]);
    await Deno.writeTextFile(`${dir}/${FILE}`, head);
    const r = await runCli([`--manifest=${FILE}`, "--max-image-size=0.02"], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    const findings = r.stderr.split("\n").filter((l) => l.endsWith("[image-size]"));
    assert.equal(findings.length, 1, r.stderr);
    assert.match(findings[0]!, new RegExp(`app@${fresh.manifest.digest} is 2\\d\\.\\d KiB`));
    assert.doesNotMatch(r.stderr, new RegExp(old.manifest.digest));
    assert.match(r.stderr, /checks: \d+ ran .*, 1 error, 0 warnings/);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await w.stop();
  }
});

/** Commits a base manifest promoting app:1.0 to the first destination, then a merge adding 2.0. */
async function commitMergedAddition(w: World, repo: TempRepo): Promise<void> {
  const one = await w.small("app", 1);
  const two = await w.small("app", 2);
  const base = plainManifest(w.src, [w.dsts[0]], [
    { name: "app", dmap: { [one.manifest.digest]: ["1.0"] } },
  ]);
  const head = plainManifest(w.src, [w.dsts[0]], [
    { name: "app", dmap: { [one.manifest.digest]: ["1.0"], [two.manifest.digest]: ["2.0"] } },
  ]);
  await repo.commit({ [FILE]: base }, "base");
  await repo.commit({ [FILE]: head }, "merged");
}

Deno.test("cip --confirm runs no checks and needs no base for --diff-base; scoping still applies", async () => {
  const w = await world();
  const repo = await tempRepo();
  try {
    await commitMergedAddition(w, repo);
    const unused = await runCli([`--manifest=${FILE}`, "--diff-base=no-such-rev", "--confirm"], {
      cwd: repo.dir,
    });
    assert.equal(unused.code, 0, unused.stderr);
    assert.doesNotMatch(unused.stderr, /checks:|no-such-rev/);
    const res = await fetch(`${w.reg.url}/v2/prod-a/app/tags/list`);
    assert.deepEqual(((await res.json()).tags as string[]).sort(), ["1.0", "2.0"]);
  } finally {
    await repo.remove();
    await w.stop();
  }
});

Deno.test("cip --use-prow-manifest-diff --confirm promotes only what the merged change added", async () => {
  const w = await world();
  const repo = await tempRepo();
  try {
    await commitMergedAddition(w, repo);
    const r = await runCli([`--manifest=${FILE}`, "--use-prow-manifest-diff", "--confirm"], {
      cwd: repo.dir,
      env: { JOB_TYPE: "postsubmit" },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /promoting only what changed since HEAD\^: 1 of 2 edges/);
    const res = await fetch(`${w.reg.url}/v2/prod-a/app/tags/list`);
    assert.deepEqual((await res.json()).tags, ["2.0"], "1.0 was not in the change");
    const again = await runCli([`--manifest=${FILE}`, "--use-prow-manifest-diff", "--confirm"], {
      cwd: repo.dir,
      env: { JOB_TYPE: "presubmit", PULL_BASE_SHA: "HEAD" },
    });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /changed nothing to promote since HEAD: nothing to do/);
  } finally {
    await repo.remove();
    await w.stop();
  }
});
