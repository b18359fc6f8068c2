import assert from "node:assert/strict";
import { Logger } from "../../src/log.ts";
import { computeEdges, loadManifests } from "../../src/manifest/mod.ts";
import { writeK8sShapedThinDir } from "./k8s_shape.ts";
import { measure } from "./measure.ts";

Deno.test("writeK8sShapedThinDir() writes a valid thin directory of the asked shape", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cip-shape-" });
  try {
    const shape = { manifests: 3, registriesPerManifest: 4, digests: 31, imagesPerManifest: 2 };
    const written = await writeK8sShapedThinDir(dir, shape);
    const { manifests: ms } = await loadManifests({ thinDir: dir }, new Logger("error"));
    assert.equal(ms.length, 3);
    assert.ok(ms.every((m) => m.registries.length === 5));
    const digests = ms.flatMap((m) => m.images.flatMap((i) => i.digests));
    assert.equal(digests.length, 31);
    assert.ok(digests.every((d) => d.tags.length >= 1 && d.tags.length <= 3));
    const set = computeEdges(ms);
    assert.equal(set.edges.length, written.edges);
    assert.equal(set.overlaps.length, 0);
    assert.ok(
      set.edges.every((e) =>
        /^[a-z0-9-]+-docker\.pkg\.dev\/k8s-artifacts-prod\/images\/project-\d{3}$/.test(e.dst.name)
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const poll of [false, true]) {
  Deno.test({
    name: `measure() reports the exit code, output and a peak RSS${
      poll ? " by polling /proc" : ""
    }`,
    ignore: Deno.build.os !== "linux",
  }, async () => {
    const m = await measure(Deno.execPath(), [
      "eval",
      "const a = new Uint8Array(64 * 1024 * 1024).fill(1); await new Promise((r) => setTimeout(r, 100)); console.log(a[5]); console.error('e'); Deno.exit(3)",
    ], { poll });
    assert.equal(m.code, 3);
    assert.equal(m.stdout, "1\n");
    assert.equal(m.stderr, "e\n");
    assert.ok(m.peakRssKiB !== null && m.peakRssKiB > 64 * 1024, `peak ${m.peakRssKiB} KiB`);
    if (!poll) assert.ok(m.cpuMs !== null && m.cpuMs > 0, `cpu ${m.cpuMs}`);
  });
}
