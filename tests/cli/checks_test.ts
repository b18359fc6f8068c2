/**
 * The pre-submit checks through the command line: temporary git repositories with a base commit
 * and a pull-request commit, manifests promoting from a real docker-registry's staging area.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type TempRepo, tempRepo } from "../manifest/git_base/git_repo.ts";
import { lineOf, plainManifest } from "../fixtures/manifest_text.ts";
import { type World, world } from "../checks/registry_world.ts";
import { runCli } from "./run_cli.ts";

const FILE = "deploy/promoter-manifest.yaml";

/** A registry with apple (digests a, b, e) and banana (c) staged, and manifests over them. */
interface Scene {
  w: World;
  a: string;
  b: string;
  c: string;
  e: string;
  /** apple a: 1.0, latest; apple b: tagless; banana c: 2.0. */
  base: string;
  /** Removes banana and moves apple:latest from a to e. */
  bad: string;
  /** Adds apple e: 1.1. */
  good: string;
  manifest: (images: { name: string; dmap: Record<string, string[]> }[]) => string;
}

async function withScene(fn: (s: Scene) => Promise<void>): Promise<void> {
  const w = await world();
  try {
    const [a, b, e, c] = await Promise.all([
      w.small("apple", 1),
      w.small("apple", 2),
      w.small("apple", 3),
      w.small("banana", 4),
    ]).then((images) => images.map((i) => i.manifest.digest) as [string, string, string, string]);
    const manifest: Scene["manifest"] = (images) => plainManifest(w.src, w.dsts, images);
    await fn({
      w,
      a,
      b,
      c,
      e,
      manifest,
      base: manifest([
        { name: "apple", dmap: { [a]: ["1.0", "latest"], [b]: [] } },
        { name: "banana", dmap: { [c]: ["2.0"] } },
      ]),
      bad: manifest([{ name: "apple", dmap: { [a]: ["1.0"], [b]: [], [e]: ["latest"] } }]),
      good: manifest([
        { name: "apple", dmap: { [a]: ["1.0", "latest"], [b]: [], [e]: ["1.1"] } },
        { name: "banana", dmap: { [c]: ["2.0"] } },
      ]),
    });
  } finally {
    await w.stop();
  }
}

/** A repository whose base commit holds `base` and whose head commit holds `head` at FILE. */
async function withPullRequest(
  base: string,
  head: string,
  fn: (repo: TempRepo, baseCommit: string) => Promise<void>,
): Promise<void> {
  const repo = await tempRepo();
  try {
    const id = await repo.commit({ [FILE]: base, "README": "x" }, "base");
    await repo.commit({ [FILE]: head }, "pull request");
    await fn(repo, id);
  } finally {
    await repo.remove();
  }
}

/** The workflow commands among stdout's lines. */
const annotations = (stdout: string) => stdout.split("\n").filter((l) => l.startsWith("::"));

Deno.test("cip --list-checks prints every check's name and description and exits 0", async () => {
  const r = await runCli(["--list-checks"]);
  assert.equal(r.code, 0);
  const names = r.stdout.trimEnd().split("\n").map((l) => l.split(/ +/)[0]);
  assert.deepEqual(names, [
    "image-removal",
    "tag-move",
    "image-size",
    "manifest-list-children",
    "promotes-nothing",
    "unsigned-image",
    "signatures",
  ]);
  assert.match(r.stdout, /^tag-move +No tag that pointed at one digest/m);
  assert.match(r.stdout, /^unsigned-image +\(opt-in: --checks=unsigned-image\)/m);
});

Deno.test("cip refuses unknown check names and a bad --max-image-size with exit 2", async () => {
  for (const flag of ["--checks=tag-move,nope", "--skip-checks=nope"]) {
    const r = await runCli(["--manifest=x.yaml", flag]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /unknown check nope \(known: .*tag-move/);
  }
  const size = await runCli(["--manifest=x.yaml", "--max-image-size=big"]);
  assert.equal(size.code, 2);
  assert.match(size.stderr, /--max-image-size must be a positive number of MiB, not "big"/);
});

Deno.test("cip fails a pull request that removes an image and moves a tag", async () => {
  await withScene((s) =>
    withPullRequest(s.base, s.bad, async (repo, base) => {
      const r = await runCli(["run", `--manifest=${FILE}`, `--diff-base=${base}`], {
        cwd: repo.dir,
      });
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`ERROR: ${FILE}: image banana@${s.c}.*\\[image-removal\\]`),
      );
      assert.match(
        r.stderr,
        new RegExp(
          `ERROR: ${FILE}:${
            lineOf(s.bad, s.e)
          }: tag apple:latest would move from ${s.a}.*\\[tag-move\\]`,
        ),
      );
      assert.match(r.stderr, /checks: .*, 2 errors, 0 warnings/);
      assert.deepEqual(annotations(r.stdout), [], "no annotations outside GitHub Actions");
    })
  );
});

Deno.test("cip does not report as removed what the pull request's problems leave out", async () => {
  await withScene((s) => {
    const head = s.manifest([
      { name: "apple", dmap: { [s.a]: ["1.0", "latest"], [s.b]: [] } },
      { name: "banana", dmap: { [s.c]: ["2.0", "not a tag"] } },
    ]);
    return withPullRequest(s.base, head, async (repo, base) => {
      const r = await runCli(["run", `--manifest=${FILE}`, `--diff-base=${base}`], {
        cwd: repo.dir,
      });
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`ERROR: left out of this run: digest banana@${s.c}: .*invalid tag: "not a tag"`),
      );
      assert.doesNotMatch(r.stderr, /\[image-removal\]/);
      assert.match(r.stderr, /checks: .*, 0 errors, /);
    });
  });
});

Deno.test("cip prints GitHub annotations with repository paths when GITHUB_ACTIONS=true", async () => {
  await withScene((s) =>
    withPullRequest(s.base, s.bad, async (repo, base) => {
      const r = await runCli(["--manifest=promoter-manifest.yaml", `--diff-base=${base}`], {
        cwd: join(repo.dir, "deploy"),
        env: { GITHUB_ACTIONS: "true" },
      });
      assert.equal(r.code, 1, r.stderr);
      const lines = annotations(r.stdout);
      assert.equal(lines.length, 2, r.stdout);
      assert.equal(
        lines[0],
        `::error file=${FILE},title=cip image-removal::image banana@${s.c} (tags 2.0) was ` +
          `promoted to ${s.w.dsts[0]} and ${s.w.dsts[1]} at ${base} and is no longer in the ` +
          "manifests; promoted images must never be removed",
      );
      assert.match(
        lines[1]!,
        new RegExp(
          `^::error file=${FILE},line=${lineOf(s.bad, s.e)},title=cip tag-move::tag apple`,
        ),
      );
    })
  );
});

Deno.test("cip keeps stdout for the JSON summary under GitHub Actions with --json-log-summary", async () => {
  await withScene((s) =>
    withPullRequest(s.base, s.bad, async (repo, base) => {
      const r = await runCli([`--manifest=${FILE}`, `--diff-base=${base}`, "--json-log-summary"], {
        cwd: repo.dir,
        env: { GITHUB_ACTIONS: "true" },
      });
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(annotations(r.stdout), []);
      assert.equal(typeof JSON.parse(r.stdout), "object");
      assert.match(r.stderr, /ERROR: .*\[tag-move\]/);
    })
  );
});

Deno.test("cip passes a pull request that only adds; --checks and --skip-checks choose checks", async () => {
  await withScene(async (s) => {
    await withPullRequest(s.base, s.good, async (repo, base) => {
      const ok = await runCli([`--manifest=${FILE}`, `--diff-base=${base}`], { cwd: repo.dir });
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stderr, /checks: \d ran \(image-removal, tag-move, /);
      assert.match(ok.stderr, /, 0 errors, 0 warnings/);
    });
    await withPullRequest(s.base, s.bad, async (repo, base) => {
      const only = await runCli([
        `--manifest=${FILE}`,
        `--diff-base=${base}`,
        "--checks=tag-move",
      ], { cwd: repo.dir });
      assert.equal(only.code, 1);
      assert.doesNotMatch(only.stderr, /image-removal/);
      assert.match(only.stderr, /\[tag-move\]/);
      assert.match(only.stderr, /checks: 1 ran \(tag-move\), 1 error, 0 warnings/);
      const skip = await runCli([
        `--manifest=${FILE}`,
        `--diff-base=${base}`,
        "--skip-checks=tag-move,image-removal",
      ], { cwd: repo.dir });
      assert.equal(skip.code, 0, skip.stderr);
    });
  });
});

Deno.test("cip warns, and exits 0, when a pull request promotes nothing new", async () => {
  await withScene((s) =>
    withPullRequest(s.base, s.base, async (repo, base) => {
      const r = await runCli([`--manifest=${FILE}`, `--diff-base=${base}`], {
        cwd: repo.dir,
        env: { GITHUB_ACTIONS: "true" },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /WARN: the change adds no digest or tag to promote \(compared with/);
      assert.deepEqual(annotations(r.stdout), [
        `::warning title=cip promotes-nothing::the change adds no digest or tag to promote ` +
        `(compared with ${base})`,
      ]);
    })
  );
});

Deno.test("cip takes the base from Prow's environment with --use-prow-manifest-diff", async () => {
  await withScene((s) =>
    withPullRequest(s.base, s.bad, async (repo, base) => {
      const pre = await runCli([`--manifest=${FILE}`, "--use-prow-manifest-diff"], {
        cwd: repo.dir,
        env: { JOB_TYPE: "presubmit", PULL_BASE_SHA: base },
      });
      assert.equal(pre.code, 1, pre.stderr);
      assert.match(pre.stderr, new RegExp(`comparing the manifests with ${base} \\(PULL_BASE_SHA`));
      assert.match(pre.stderr, /promoting only what changed since .*: 2 of 6 edges/);
      const post = await runCli([`--manifest=${FILE}`, "--use-prow-manifest-diff"], {
        cwd: repo.dir,
        env: { JOB_TYPE: "postsubmit" },
      });
      assert.equal(post.code, 1, post.stderr);
      assert.match(post.stderr, /comparing the manifests with HEAD\^/);
      const periodic = await runCli([`--manifest=${FILE}`, "--use-prow-manifest-diff"], {
        cwd: repo.dir,
        env: { JOB_TYPE: "periodic" },
      });
      assert.equal(periodic.code, 2);
      assert.match(periodic.stderr, /needs JOB_TYPE to be presubmit, batch or postsubmit/);
    })
  );
});

Deno.test("cip --manifest-diff-since compares with the last commit before the date", async () => {
  await withScene(async (s) => {
    const repo = await tempRepo();
    try {
      await repo.commit({ [FILE]: s.base }, "old", "2024-01-01T00:00:00Z");
      await repo.commit({ [FILE]: s.base }, "same", "2024-02-01T00:00:00Z");
      const args = [`--manifest=${FILE}`, "--manifest-diff-since=2024-03-01"];
      const r1 = await runCli(args, { cwd: repo.dir });
      assert.equal(r1.code, 0, r1.stderr);
      assert.match(r1.stderr, /comparing the manifests with the last commit before "2024-03-01"/);
      assert.match(r1.stderr, /the manifests changed nothing to promote since .*: nothing to do/);
      await repo.commit({ [FILE]: s.good }, "new", "2024-04-01T00:00:00Z");
      const r2 = await runCli(args, { cwd: repo.dir });
      assert.equal(r2.code, 0, r2.stderr);
      assert.match(r2.stderr, /promoting only what changed since .*: 2 of 10 edges/);
    } finally {
      await repo.remove();
    }
  });
});

Deno.test("cip names an unknown base revision, a missing git and a directory outside git", async () => {
  await withScene((s) =>
    withPullRequest(s.base, s.good, async (repo) => {
      const r = await runCli([`--manifest=${FILE}`, "--diff-base=no-such-rev"], { cwd: repo.dir });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /cip: unknown git revision "no-such-rev"/);
      const empty = await Deno.makeTempDir();
      try {
        const noGit = await runCli([`--manifest=${FILE}`, "--diff-base=HEAD^"], {
          cwd: repo.dir,
          env: { PATH: empty },
        });
        assert.equal(noGit.code, 1);
        assert.match(noGit.stderr, /cannot run git \("git"\): it is not installed or not on PATH/);
        await Deno.writeTextFile(join(empty, "m.yaml"), s.good);
        const outside = await runCli(["--manifest=m.yaml", "--diff-base=HEAD^"], { cwd: empty });
        assert.equal(outside.code, 1);
        assert.match(outside.stderr, /cannot find the path in the repository/);
      } finally {
        await Deno.remove(empty, { recursive: true });
      }
    })
  );
});

Deno.test("cip compares a thin directory in a sub-directory, with a manifest new in the change", async () => {
  await withScene(async (s) => {
    const repo = await tempRepo();
    const regs = `registries:\n- name: ${s.w.src}\n  src: true\n- name: ${s.w.dsts[0]}\n`;
    const images = (tags: string) => `- name: apple\n  dmap:\n    "${s.a}": [${tags}]\n`;
    try {
      const base = await repo.commit({
        "k8s/manifests/a/promoter-manifest.yaml": regs,
        "k8s/images/a/images.yaml": images(`"1.0", "latest"`),
      }, "base");
      await repo.commit({
        "k8s/images/a/images.yaml": images(`"1.0"`),
        "k8s/manifests/b/promoter-manifest.yaml": regs,
        "k8s/images/b/images.yaml": `- name: banana\n  dmap:\n    "${s.c}": ["1"]\n`,
      }, "pull request");
      const r = await runCli(["--thin-manifest-dir=k8s", `--diff-base=${base}`], {
        cwd: repo.dir,
        env: { GITHUB_ACTIONS: "true" },
      });
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(annotations(r.stdout), [
        `::error file=k8s/images/a/images.yaml,line=3,title=cip image-removal::tag apple:latest ` +
        `(${s.a}) was promoted to ${s.w.dsts[0]} at ${base} and is no longer in the manifests; ` +
        "promoted tags must never be removed",
      ]);
    } finally {
      await repo.remove();
    }
  });
});

Deno.test("cip places a removed tag at its digest's line however the manifest path is written", async () => {
  await withScene(async (s) => {
    const head = s.manifest([
      { name: "apple", dmap: { [s.a]: ["1.0"], [s.b]: [] } },
      { name: "banana", dmap: { [s.c]: ["2.0"] } },
    ]);
    await withPullRequest(s.base, head, async (repo, base) => {
      const r = await runCli([`--manifest=./deploy/../${FILE}`, `--diff-base=${base}`], {
        cwd: repo.dir,
        env: { GITHUB_ACTIONS: "true" },
      });
      assert.equal(r.code, 1, r.stderr);
      const line = lineOf(head, s.a);
      assert.match(
        r.stderr,
        new RegExp(`ERROR: \\./deploy/\\.\\./${FILE}:${line}: tag apple:latest`),
      );
      assert.match(
        annotations(r.stdout)[0]!,
        new RegExp(`^::error file=${FILE},line=${line},title=cip image-removal::`),
      );
    });
  });
});

Deno.test("cip counts the checks it skips and names why only at debug level", async () => {
  await withScene(async (s) => {
    const dir = await Deno.makeTempDir({ prefix: "cip-skip-" });
    try {
      await Deno.writeTextFile(join(dir, "m.yaml"), s.base);
      const quiet = await runCli([`--manifest=${join(dir, "m.yaml")}`]);
      assert.equal(quiet.code, 0, quiet.stderr);
      assert.match(
        quiet.stderr,
        /checks: \d ran \([^)]*\), 4 skipped \(why: --log-level=debug\), /,
      );
      assert.doesNotMatch(quiet.stderr, /skipped: it needs/);
      const debug = await runCli([`--manifest=${join(dir, "m.yaml")}`, "--log-level=debug"]);
      assert.match(debug.stderr, /check image-removal skipped: it needs a git base/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
