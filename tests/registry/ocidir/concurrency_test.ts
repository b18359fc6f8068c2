import assert from "node:assert/strict";
import { join } from "node:path";
import { OciDirBackend } from "../../../src/registry/ocidir/backend.ts";
import { checkLayouts } from "../../fixtures/check_layouts.ts";
import { tempDir } from "../../fixtures/temp_dirs.ts";
import { pushImage, tinyImage } from "../../fixtures/tiny_images.ts";

Deno.test("many concurrent putManifest calls into one layout lose no index entry", async () => {
  const root = join(await tempDir("ocidir-conc-"), "reg");
  const images = Array.from({ length: 40 }, (_, i) => tinyImage(`image ${i}`));
  // Two backends on the same directory (different spellings of it) share the per-layout queue.
  const backends = [new OciDirBackend(root), new OciDirBackend(`${root}/./`)];
  const expected: string[] = [];
  await Promise.all(images.map((img, i) => {
    const tags = i % 4 === 0 ? [] : [`v${i}`, `alias${i}`];
    if (tags.length === 0) expected.push(`shared@${img.manifest.digest}`);
    for (const t of tags) expected.push(`shared:${t}@${img.manifest.digest}`);
    return pushImage(backends[i % 2]!, "shared", img, tags);
  }));
  assert.deepEqual(await checkLayouts(new OciDirBackend(root)), expected.sort());
  const index = JSON.parse(await Deno.readTextFile(join(root, "shared", "index.json")));
  assert.equal(index.manifests.length, expected.length);
});

Deno.test("concurrent first writes into a new repository create one whole layout", async () => {
  const root = join(await tempDir("ocidir-conc-"), "reg");
  const b = new OciDirBackend(root);
  const images = Array.from({ length: 12 }, (_, i) => tinyImage(`new ${i}`));
  await Promise.all(images.map((img, i) => pushImage(b, "a/b/fresh", img, [`t${i}`])));
  assert.equal((await b.listTags("a/b/fresh")).tags.length, 12);
  const hidden = [...Deno.readDirSync(join(root, "a", "b"))].filter((e) => e.name.startsWith("."));
  assert.deepEqual(hidden, [], "no temporary layout directory is left");
});

Deno.test("two processes creating and writing one layout at once lose no index entry", async () => {
  const root = join(await tempDir("ocidir-procs-"), "reg");
  const child = new URL("./processes_child.ts", import.meta.url).pathname;
  const run = (first: number) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", child, root, String(first), "30"],
      stdout: "null",
      stderr: "inherit",
    }).output();
  const results = await Promise.all([run(0), run(30)]);
  assert.deepEqual(results.map((r) => r.code), [0, 0]);
  const tags = (await new OciDirBackend(root).listTags("shared")).tags;
  assert.equal(tags.length, 60);
  await checkLayouts(new OciDirBackend(root));
});
