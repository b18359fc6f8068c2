import assert from "node:assert/strict";
import { digest, imagesYaml, registriesYaml, TESTDATA, writeTree } from "../manifest/fixtures.ts";
import { runCli } from "./run_cli.ts";
import { withTempDir } from "../fixtures/temp_dirs.ts";

const SEED_PLAIN = `${TESTDATA}thin/promoter-manifest.yaml`;
const SEED_THIN = `${TESTDATA}thin`;

Deno.test("cip run --parse-only summarises a valid plain manifest on stderr and exits 0", async () => {
  const r = await runCli(["run", `--manifest=${SEED_PLAIN}`, "--parse-only"]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, "");
  assert.equal(
    r.stderr,
    "parse-only: 1 manifest, 2 registries, 3 images, 5 digests, 7 edges (0 redundant): valid\n",
  );
});

Deno.test("cip --parse-only reads a thin manifest directory", async () => {
  const r = await runCli([`--thin-manifest-dir=${SEED_THIN}`, "--parse-only"]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, "");
  assert.equal(
    r.stderr,
    "parse-only: 4 manifests, 8 registries, 4 images, 5 digests, 7 edges (0 redundant): valid\n",
  );
});

Deno.test("cip --parse-only prints every problem with file:line:col and exits 2", async () => {
  const file = `${TESTDATA}manifests/invalid/source-two.yaml`;
  const r = await runCli([`--manifest=${file}`, "--parse-only"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.equal(
    r.stderr,
    `ERROR: ${file}:4:3: registries[1].src: cannot have more than 1 source registry ` +
      "(gcr.io/staging at line 2 is the source already)\n" +
      `ERROR: ${file}:6:3: registries[2].src: cannot have more than 1 source registry ` +
      "(gcr.io/staging at line 2 is the source already)\n" +
      "cip: 2 problems found in the manifests\n",
  );
});

Deno.test("cip --parse-only reports overlapping edges across thin manifests naming both places, exit 2", async () => {
  await withTempDir(async (dir) => {
    await writeTree(dir, {
      "manifests/a/promoter-manifest.yaml": registriesYaml(),
      "images/a/images.yaml": imagesYaml("apple", { [digest("a")]: ["1.0"] }),
      "manifests/b/promoter-manifest.yaml": registriesYaml(),
      "images/b/images.yaml": imagesYaml("apple", { [digest("b")]: ["1.0"] }),
    });
    const r = await runCli([`--thin-manifest-dir=${dir}`, "--parse-only"]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      `ERROR: ${dir}/images/b/images.yaml:3:81: images[0].dmap."${digest("b")}"[0]: ` +
        `overlapping edges detected: gcr.io/prod/apple:1.0 is wanted with ${digest("b")} here ` +
        `and with ${digest("a")} by ${dir}/images/a/images.yaml:3:81 ` +
        `(images[0].dmap."${digest("a")}"[0]); a destination tag can point at one digest only\n` +
        "cip: 1 problem found in the manifests\n",
    );
  });
});

Deno.test("cip --parse-only --log-level=debug names redundant edges and counts them", async () => {
  await withTempDir(async (dir) => {
    const images = imagesYaml("apple", { [digest("a")]: ["1.0"] });
    await writeTree(dir, {
      "manifests/a/promoter-manifest.yaml": registriesYaml(),
      "images/a/images.yaml": images,
      "manifests/b/promoter-manifest.yaml": registriesYaml(),
      "images/b/images.yaml": images,
    });
    const r = await runCli([`--thin-manifest-dir=${dir}`, "--parse-only", "--log-level=debug"]);
    assert.equal(r.code, 0);
    assert.ok(
      r.stderr.includes(
        `DEBUG: redundant edge: gcr.io/prod/apple:1.0 at ${dir}/images/b/images.yaml:3:81 ` +
          `repeats ${dir}/images/a/images.yaml:3:81\n`,
      ),
      r.stderr,
    );
    assert.match(r.stderr, /1 edge \(1 redundant\): valid\n$/);
  });
});

Deno.test("cip --parse-only shows the first 100 problems and counts the rest", async () => {
  await withTempDir(async (dir) => {
    const tags = Array.from({ length: 150 }, (_, i) => `bad tag ${i}`);
    await Deno.writeTextFile(
      `${dir}/m.yaml`,
      `${registriesYaml()}images:\n${imagesYaml("apple", { [digest("a")]: tags })}`,
    );
    const r = await runCli([`--manifest=${dir}/m.yaml`, "--parse-only"]);
    assert.equal(r.code, 2);
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.filter((l) => /^ERROR: .*invalid tag/.test(l)).length, 100);
    assert.deepEqual(lines.slice(-2), [
      "ERROR: ... and 50 more problems not shown",
      "cip: 150 problems found in the manifests",
    ]);
  });
});

const hostile: [string, Uint8Array | string, RegExp][] = [
  [
    "binary garbage",
    new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0xff]),
    /contains a NUL byte/,
  ],
  [
    "an alias bomb",
    Deno.readTextFileSync(`${TESTDATA}manifests/invalid/yaml-alias-bomb.yaml`),
    /YAML aliases \(\*g\) are not allowed/,
  ],
  ["deep nesting", "[".repeat(1_000_000), /nested more than 64 levels deep/],
  ["invalid UTF-8", new Uint8Array([0x61, 0x3a, 0x20, 0xc3, 0x28]), /not valid UTF-8/],
];

for (const [what, content, message] of hostile) {
  Deno.test(`cip --parse-only rejects ${what} with exit 2 and no stack trace`, async () => {
    await withTempDir(async (dir) => {
      const path = `${dir}/m.yaml`;
      if (typeof content === "string") await Deno.writeTextFile(path, content);
      else await Deno.writeFile(path, content);
      const r = await runCli([`--manifest=${path}`, "--parse-only"]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /^\s+at /m);
    });
  });
}

Deno.test("cip --parse-only reports a manifest file that does not exist with exit 2", async () => {
  const r = await runCli(["--manifest=/nonexistent/m.yaml", "--parse-only"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    "ERROR: /nonexistent/m.yaml: no such file (expected a promoter manifest)\n" +
      "cip: 1 problem found in the manifests\n",
  );
});
