import assert from "node:assert/strict";
import { Problems } from "../../src/manifest/mod.ts";
import { parseImagesYaml } from "../manifest/fixtures.ts";
import { formatYaml } from "../../src/snapshot/yaml.ts";
import type { Snapshot } from "../../src/snapshot/rows.ts";

const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;

Deno.test("formatYaml() output parses with the project's images.yaml parser to the same content", () => {
  const snap: Snapshot = [
    { name: "123", digests: [{ digest: A, tags: ["1.0"] }] },
    { name: "foo/bar", digests: [{ digest: A, tags: [] }, { digest: B, tags: ["1.0", "latest"] }] },
    { name: "true", digests: [{ digest: B, tags: ["v_1-x.y"] }] },
  ];
  const problems = new Problems();
  const images = parseImagesYaml(formatYaml(snap), "images.yaml", problems);
  assert.equal(problems.count, 0);
  assert.deepEqual(
    images?.map((i) => ({
      name: i.name,
      digests: i.digests.map((d) => ({ digest: d.digest, tags: d.tags })),
    })),
    snap,
  );
});

Deno.test("golden YAML snapshots parse with the project's images.yaml parser", async () => {
  const dir = new URL("../../testdata/golden/snapshot/", import.meta.url);
  let checked = 0;
  for await (const e of Deno.readDir(dir)) {
    if (!e.name.endsWith(".yaml")) continue;
    const problems = new Problems();
    const images = parseImagesYaml(await Deno.readTextFile(new URL(e.name, dir)), e.name, problems);
    assert.equal(problems.count, 0, e.name);
    assert.ok(images !== null && images.length > 0, e.name);
    checked++;
  }
  assert.ok(checked >= 6);
});
