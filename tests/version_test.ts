import assert from "node:assert/strict";
import { parseBuildInfo, readBuildInfo, versionLine } from "../src/version.ts";

const COMMIT = "0123456789abcdef0123456789abcdef01234567";

Deno.test("versionLine() names the version and a short commit", () => {
  assert.equal(
    versionLine("1.2.3", { commit: COMMIT, modified: false }),
    "cip 1.2.3 (commit 0123456789ab)",
  );
  assert.equal(
    versionLine("1.2.3", { commit: COMMIT, modified: true }),
    "cip 1.2.3 (commit 0123456789ab, modified)",
  );
  assert.equal(versionLine("1.2.3", undefined), "cip 1.2.3 (commit unknown)");
});

Deno.test("parseBuildInfo() reads a commit and whether the tree was modified", () => {
  assert.deepEqual(parseBuildInfo(`{"commit":"${COMMIT}","modified":true}`), {
    commit: COMMIT,
    modified: true,
  });
  assert.deepEqual(parseBuildInfo(`{"commit":"${COMMIT}"}`), { commit: COMMIT, modified: false });
  const sha256 = "ab".repeat(32);
  assert.deepEqual(parseBuildInfo(`{"commit":"${sha256}"}`), { commit: sha256, modified: false });
});

const malformed: [string, string][] = [
  ["text that is not JSON", "abc"],
  ["JSON that is not an object", `"${COMMIT}"`],
  ["null", "null"],
  ["no commit", `{"modified":false}`],
  ["a short commit", `{"commit":"0123456"}`],
  ["an upper-case commit", `{"commit":"${COMMIT.toUpperCase()}"}`],
  ["a commit that is not a string", `{"commit":123}`],
];

for (const [what, text] of malformed) {
  Deno.test(`parseBuildInfo() ignores ${what}`, () => {
    assert.equal(parseBuildInfo(text), undefined);
  });
}

Deno.test("readBuildInfo() reads a stamp file and finds none where there is none", async () => {
  const dir = await Deno.makeTempDir();
  const url = new URL(`file://${dir}/build_info.txt`);
  assert.equal(await readBuildInfo(url), undefined);
  await Deno.writeTextFile(url, `{"commit":"${COMMIT}","modified":false}\n`);
  assert.deepEqual(await readBuildInfo(url), { commit: COMMIT, modified: false });
  await Deno.remove(dir, { recursive: true });
});
