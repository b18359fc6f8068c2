import assert from "node:assert/strict";
import { startRegistry } from "../integration/registry_process.ts";
import { checkGolden, fillGolden, GOLDEN_CASES, goldenPath } from "../snapshot/golden_content.ts";
import { runCli } from "./run_cli.ts";
import { writeTree } from "../manifest/fixtures.ts";

const golden = (file: string) =>
  Deno.readTextFile(goldenPath(GOLDEN_CASES.find((c) => c.file === file)!, "plain"));
const GOLDEN_DIR = new URL("../../testdata/golden/snapshot/", import.meta.url);

/**
 * A thin manifest directory whose images.yaml is the live snapshot of a registry's `prod`
 * path, promoted to `nowhere.invalid/prod` (never contacted) and to `live`.
 */
async function thinDirOf(imagesYaml: string, live: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "cip-thin-" });
  await writeTree(dir, {
    "manifests/prod/promoter-manifest.yaml":
      `registries:\n- name: staging.invalid/stage\n  src: true\n- name: nowhere.invalid/prod\n` +
      `- name: ${live}\n`,
    "images/prod/images.yaml": imagesYaml,
  });
  return dir;
}

Deno.test("a live snapshot is a valid images.yaml, and the manifest-based snapshot of it is the same", async (t) => {
  const registry = await startRegistry();
  let dir = "";
  try {
    await fillGolden(registry.url);
    const snap = await runCli([`--snapshot=${registry.host}/prod`]);
    assert.equal(snap.code, 0, snap.stderr);
    dir = await thinDirOf(snap.stdout, `${registry.host}/prod`);
    const based = (args: string[]) => runCli([`--thin-manifest-dir=${dir}`, ...args]);

    await t.step("the thin directory passes --parse-only", async () => {
      const r = await based(["--parse-only"]);
      assert.equal(r.code, 0, r.stderr);
    });
    await t.step("YAML and CSV equal the live snapshot, without network access", async () => {
      const yaml = await based(["--manifest-based-snapshot-of=nowhere.invalid/prod"]);
      assert.equal(yaml.code, 0, yaml.stderr);
      assert.equal(yaml.stdout, snap.stdout);
      const csv = await based([
        "--manifest-based-snapshot-of=nowhere.invalid/prod",
        "--output=csv",
      ]);
      assert.equal(csv.stdout, await golden("prod.csv"));
    });
    await t.step("JSON has the same content, without media types and sizes", async () => {
      const r = await based(["--manifest-based-snapshot-of=nowhere.invalid/prod", "--output=json"]);
      assert.equal(r.code, 0, r.stderr);
      const path = new URL("manifest-based-prod.json", GOLDEN_DIR);
      assert.equal(r.stdout, await checkGolden(path, r.stdout));
      const live = JSON.parse(
        await golden("prod.json"),
        (k, v) => k === "size" || k === "mediaType" ? undefined : v,
      );
      assert.deepEqual(JSON.parse(r.stdout), live);
    });
    await t.step("a registry above the destination prefixes the extra path to names", async () => {
      const r = await based(["--manifest-based-snapshot-of=nowhere.invalid"]);
      assert.equal(r.code, 0, r.stderr);
      const path = new URL("manifest-based-host.yaml", GOLDEN_DIR);
      assert.equal(r.stdout, await checkGolden(path, r.stdout));
      assert.match(r.stdout, /^- name: prod\/foo\n/);
    });
    await t.step("--snapshot-tag filters as on a live snapshot", async () => {
      const r = await based([
        "--manifest-based-snapshot-of=nowhere.invalid/prod",
        "--snapshot-tag=latest",
      ]);
      assert.equal(r.stdout, await golden("prod-tag-latest.yaml"));
    });
    await t.step("--minimal-snapshot reads the live registry to find list children", async () => {
      const r = await based([
        `--manifest-based-snapshot-of=${registry.host}/prod`,
        "--minimal-snapshot",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, await golden("prod-minimal.yaml"));
    });
    await t.step(
      "a destination no manifest names gives an empty snapshot and a warning",
      async () => {
        const r = await based(["--manifest-based-snapshot-of=elsewhere.invalid"]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, "[]\n");
        assert.match(r.stderr, /the manifests promote nothing into elsewhere\.invalid/);
      },
    );
  } finally {
    await registry.stop();
    if (dir) await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a manifest-based snapshot refuses edges overlapping across manifests with exit 2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cip-thin-" });
  try {
    for (const [sub, hex] of [["one", "a"], ["two", "b"]]) {
      await writeTree(dir, {
        [`manifests/${sub}/promoter-manifest.yaml`]:
          `registries:\n- name: s.invalid/${sub}\n  src: true\n- name: d.invalid/p\n`,
        [`images/${sub}/images.yaml`]: `- name: foo\n  dmap:\n    "sha256:${
          hex!.repeat(64)
        }": ["1.0"]\n`,
      });
    }
    const r = await runCli([
      `--thin-manifest-dir=${dir}`,
      "--manifest-based-snapshot-of=d.invalid",
    ]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /overlapping edges detected: d\.invalid\/p\/foo:1\.0/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
