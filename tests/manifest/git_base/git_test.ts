import assert from "node:assert/strict";
import { join } from "node:path";
import { Git, GitError } from "../../../src/manifest/git_base/mod.ts";
import { tempRepo } from "./git_repo.ts";

Deno.test("Git reads files and lists trees at a revision, not from the working tree", async () => {
  const repo = await tempRepo();
  try {
    const first = await repo.commit({ "sub/a.yaml": "one\n", "sub/deep/b.yaml": "b\n" }, "base");
    await repo.commit({ "sub/a.yaml": "two\n", "sub/c.yaml": "c\n" }, "head");
    const git = new Git(join(repo.dir, "sub"));
    assert.equal(await git.prefix(), "sub/");
    assert.equal(await Deno.realPath(await git.toplevel()), await Deno.realPath(repo.dir));
    assert.equal(await git.resolve("HEAD^"), first);
    const files = await git.listFiles(first, "sub");
    assert.deepEqual(files.map((f) => f.path).sort(), ["sub/a.yaml", "sub/deep/b.yaml"]);
    assert.equal(files[0]!.mode, "100644");
    const read = await git.readFiles(first, ["sub/a.yaml", "sub/deep/b.yaml"]);
    const text = (p: string) => new TextDecoder().decode(read.get(p));
    assert.equal(text("sub/a.yaml"), "one\n");
    assert.equal(text("sub/deep/b.yaml"), "b\n");
  } finally {
    await repo.remove();
  }
});

Deno.test("Git.readFiles() keeps exact bytes and names a file missing at the revision", async () => {
  const repo = await tempRepo();
  try {
    const bytes = "x\r\n\n\u00e9\n";
    const id = await repo.commit({ "a": bytes, "b": "" }, "one");
    const git = new Git(repo.dir);
    const read = await git.readFiles(id, ["b", "a"]);
    assert.equal(new TextDecoder().decode(read.get("a")), bytes);
    assert.equal(read.get("b")!.length, 0);
    await assert.rejects(
      () => git.readFiles(id, ["a", "gone"]),
      (e) => e instanceof GitError && /cannot read gone at .* missing/.test(e.message),
    );
  } finally {
    await repo.remove();
  }
});

Deno.test("Git.resolve() names an unknown revision clearly", async () => {
  const repo = await tempRepo();
  try {
    await repo.commit({ "a": "a" }, "one");
    await assert.rejects(
      () => new Git(repo.dir).resolve("no-such-branch"),
      (e) => e instanceof GitError && /unknown git revision "no-such-branch"/.test(e.message),
    );
  } finally {
    await repo.remove();
  }
});

Deno.test("Git.lastCommitBefore() finds the last commit made before a date", async () => {
  const repo = await tempRepo();
  try {
    const old = await repo.commit({ "a": "1" }, "old", "2024-01-01T00:00:00Z");
    await repo.commit({ "a": "2" }, "new", "2024-03-01T00:00:00Z");
    const git = new Git(repo.dir);
    assert.equal(await git.lastCommitBefore("2024-02-01"), old);
    await assert.rejects(
      () => git.lastCommitBefore("2023-01-01"),
      (e) =>
        e instanceof GitError && /no commit on HEAD was made before "2023-01-01"/.test(e.message),
    );
  } finally {
    await repo.remove();
  }
});

Deno.test("Git says so when git is missing or the directory is not a repository", async () => {
  await assert.rejects(
    () => new Git(".", "/nonexistent/git-binary").prefix(),
    (e) => e instanceof GitError && /not installed or not on PATH/.test(e.message),
  );
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () => new Git(dir).prefix(),
      (e) => e instanceof GitError && /cannot find the path in the repository/.test(e.message),
    );
    await assert.rejects(
      () => new Git(join(dir, "missing")).prefix(),
      (e) => e instanceof GitError && /no such directory/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
