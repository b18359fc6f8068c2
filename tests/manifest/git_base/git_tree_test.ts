import assert from "node:assert/strict";
import { Git } from "../../../src/manifest/git_base/git.ts";
import { GitTree } from "../../../src/manifest/git_base/git_tree.ts";
import { TreeError } from "../../../src/manifest/mod.ts";
import { tempRepo } from "./git_repo.ts";

Deno.test("GitTree lists directories and reads files of one directory at a commit", async () => {
  const repo = await tempRepo();
  try {
    const id = await repo.commit({ "d/a/x.yaml": "x", "d/b.yaml": "bb", "other/c": "c" }, "one");
    const tree = await GitTree.open(new Git(repo.dir), id, "d", (p) => `label:${p}`);
    const names = async (p: string) =>
      (await tree.list(p))?.map((e) => `${e.name}:${e.kind}`).sort();
    assert.deepEqual(await names(""), ["a:dir", "b.yaml:file"]);
    assert.deepEqual(await names("a"), ["x.yaml:file"]);
    assert.equal(await tree.list("b.yaml"), null);
    assert.equal(await tree.list("nope"), null);
    assert.equal(new TextDecoder().decode((await tree.readFile("b.yaml", 100))!), "bb");
    assert.equal(await tree.readFile("gone.yaml", 100), null);
    assert.equal(tree.label("a/x.yaml"), "label:a/x.yaml");
  } finally {
    await repo.remove();
  }
});

Deno.test("GitTree refuses files over the size limit and directories read as files", async () => {
  const repo = await tempRepo();
  try {
    const id = await repo.commit({ "big.yaml": "0123456789", "dir/f": "" }, "one");
    const tree = await GitTree.open(new Git(repo.dir), id, "", (p) => p);
    await assert.rejects(
      () => tree.readFile("big.yaml", 5),
      (e) => e instanceof TreeError && /is 10 bytes, more than the 5 allowed/.test(e.message),
    );
    await assert.rejects(
      () => tree.readFile("dir", 5),
      (e) => e instanceof TreeError && /is a directory/.test(e.message),
    );
  } finally {
    await repo.remove();
  }
});

Deno.test("GitTree reads the prefetched files with one git call", async () => {
  const repo = await tempRepo();
  try {
    const id = await repo.commit({ "a.yaml": "a", "b.yaml": "b", "c.txt": "c" }, "one");
    const git = new Git(repo.dir);
    let calls = 0;
    const counting = {
      listFiles: (commit: string, dir: string) => git.listFiles(commit, dir),
      readFiles: (commit: string, paths: readonly string[]) => {
        calls++;
        return git.readFiles(commit, paths);
      },
    };
    const tree = await GitTree.open(counting, id, "", (p) => p, (p) => p.endsWith(".yaml"));
    assert.equal(new TextDecoder().decode((await tree.readFile("a.yaml", 10))!), "a");
    assert.equal(new TextDecoder().decode((await tree.readFile("b.yaml", 10))!), "b");
    assert.equal(calls, 1);
    assert.equal(new TextDecoder().decode((await tree.readFile("c.txt", 10))!), "c");
    assert.equal(calls, 2);
  } finally {
    await repo.remove();
  }
});
