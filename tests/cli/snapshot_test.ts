import assert from "node:assert/strict";
import { startRegistry } from "../integration/registry_process.ts";
import { fillGolden, GOLDEN_CASES, goldenPath } from "../snapshot/golden_content.ts";
import { runCli } from "./run_cli.ts";

const prodYaml = GOLDEN_CASES.find((c) => c.file === "prod.yaml")!;
const prodCsv = GOLDEN_CASES.find((c) => c.file === "prod.csv")!;

Deno.test("cip --snapshot prints the golden snapshot of a real registry, progress on stderr", async () => {
  const registry = await startRegistry();
  try {
    await fillGolden(registry.url);
    const r = await runCli(["run", `--snapshot=${registry.host}/prod`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, await Deno.readTextFile(goldenPath(prodYaml, "plain")));
    assert.match(r.stderr, new RegExp(`snapshot of ${registry.host}/prod: 3 repositories read`));
    const again = await runCli([`--snapshot=${registry.host}/prod`]);
    assert.equal(again.stdout, r.stdout, "two snapshots of one registry are byte-identical");
  } finally {
    await registry.stop();
  }
});

Deno.test("cip --snapshot of a registry behind basic auth uses docker's config, else fails with exit 1", async () => {
  const auth = { user: "release", password: "s3cret-pw" };
  const registry = await startRegistry({ htpasswd: auth });
  const dockerConfig = await Deno.makeTempDir({ prefix: "cip-docker-config-" });
  try {
    await fillGolden(registry.url, { auth });
    const denied = await runCli([`--snapshot=${registry.host}/prod`, "--output=csv"], {
      env: { DOCKER_CONFIG: dockerConfig },
    });
    assert.equal(denied.code, 1);
    assert.equal(denied.stdout, "");
    assert.match(
      denied.stderr,
      new RegExp(`Cannot take a snapshot of ${registry.host}/prod: .*401`),
    );
    await Deno.writeTextFile(
      `${dockerConfig}/config.json`,
      JSON.stringify({
        auths: { [registry.host]: { auth: btoa(`${auth.user}:${auth.password}`) } },
      }),
    );
    const ok = await runCli([`--snapshot=${registry.host}/prod`, "--output=csv"], {
      env: { DOCKER_CONFIG: dockerConfig },
    });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, await Deno.readTextFile(goldenPath(prodCsv, "plain")));
    assert.ok(!ok.stderr.includes(auth.password));
    assert.ok(!denied.stderr.includes(auth.password));
  } finally {
    await registry.stop();
    await Deno.remove(dockerConfig, { recursive: true });
  }
});

const usage: [string, string[], RegExp][] = [
  [
    "an unknown --output",
    ["--snapshot=127.0.0.1:1", "--output=xml"],
    /--output must be one of yaml, csv, json/,
  ],
  [
    "--snapshot-tag without a snapshot",
    ["--manifest=m.yaml", "--snapshot-tag=x"],
    /--snapshot-tag needs --snapshot/,
  ],
  ["a bad snapshot registry name", ["--snapshot=Bad Host"], /is not a registry name/],
];
for (const [what, args, message] of usage) {
  Deno.test(`cip refuses ${what} with exit 2 before any network access`, async () => {
    const r = await runCli(args);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, message);
  });
}
