import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./run_cli.ts";

Deno.test("cip fails, exit 1, when an ocidir:// source directory does not exist (not 'not found')", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cip-missing-src-" });
  try {
    const manifest = (await Deno.readTextFile("testdata/demo/promoter-manifest.yaml"))
      .replaceAll("ocidir://testdata/demo/staging", `ocidir://${dir}/no-such-staging`)
      .replaceAll("ocidir://testdata/demo/production", `ocidir://${dir}/prod`);
    await Deno.writeTextFile(join(dir, "m.yaml"), manifest);
    for (const extra of [[], ["--confirm"]]) {
      const r = await runCli([`--manifest=${join(dir, "m.yaml")}`, ...extra]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        /cip: Cannot read source registry ocidir:\/\/.*no-such-staging: .*no-such-staging does not exist/,
      );
      assert.equal(r.stdout, "");
    }
    // Nothing was created at the destination.
    await assert.rejects(Deno.stat(join(dir, "prod")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
