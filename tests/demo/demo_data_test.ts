import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { parse } from "yaml";
import { OciDirBackend } from "../../src/registry/ocidir/backend.ts";
import { checkLayouts } from "../fixtures/check_layouts.ts";
import { DEMO_DESTINATION, DEMO_SOURCE, makeDemo } from "../../demo/make_demo.ts";
import { tempDir } from "../fixtures/temp_dirs.ts";
import { skopeoIn } from "../integration/skopeo.ts";

const REPO = new URL("../../", import.meta.url).pathname;
const DEMO = join(REPO, "testdata", "demo");

/** Every file below `dir` (relative path -> bytes), ignoring `skip`. */
async function tree(dir: string, skip: string[] = []): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const visit = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (skip.includes(rel)) continue;
      if (e.isDirectory) await visit(p);
      else out.set(rel, await Deno.readFile(p));
    }
  };
  await visit(dir);
  return out;
}

Deno.test("the committed demo data is exactly what make_demo.ts writes", async () => {
  const out = await tempDir("demo-");
  await makeDemo(out);
  const made = await tree(out);
  const committed = await tree(DEMO, ["README.md", "production"]);
  assert.deepEqual([...committed.keys()].sort(), [...made.keys()].sort());
  for (const [path, bytes] of made) assert.deepEqual(committed.get(path), bytes, path);
});

Deno.test("the demo staging layouts are whole and hold what the demo manifest promotes", async () => {
  const lines = await checkLayouts(new OciDirBackend(join(DEMO, "staging")));
  const manifest = parse(await Deno.readTextFile(join(DEMO, "promoter-manifest.yaml")));
  assert.deepEqual(manifest.registries, [{ name: DEMO_SOURCE, src: true }, {
    name: DEMO_DESTINATION,
  }]);
  let promoted = 0;
  for (const image of manifest.images) {
    for (const [digest, tags] of Object.entries(image.dmap as Record<string, string[]>)) {
      const wanted = tags.length === 0
        ? [`${image.name}@${digest}`]
        : tags.map((t) => `${image.name}:${t}@${digest}`);
      for (const w of wanted) assert.ok(lines.includes(w), `staging lacks ${w}`);
      promoted += wanted.length;
    }
  }
  assert.ok(promoted < lines.length, "staging also holds something not promoted");
  const multi = await new OciDirBackend(join(DEMO, "staging")).listTags("multi");
  assert.equal([...multi.manifests!.values()].filter((m) => m.tags.length === 0).length, 2);
});

Deno.test({
  name: "skopeo reads the demo staging layouts by their paths relative to the repository root",
  async fn() {
    const staging = new OciDirBackend(join(DEMO, "staging"));
    for (const ref of ["hello:1.0", "hello:latest", "tools/echo:v1", "multi:2.0"]) {
      const [repo, tag] = ref.split(":") as [string, string];
      const raw = await skopeoIn(REPO, "inspect", "--raw", `oci:testdata/demo/staging/${ref}`);
      assert.equal(raw, new TextDecoder().decode((await staging.getManifest(repo, tag))!.bytes));
      const info = JSON.parse(await skopeoIn(REPO, "inspect", `oci:testdata/demo/staging/${ref}`));
      assert.equal(info.Os, "linux");
    }
  },
});
