import assert from "node:assert/strict";
import { checkGolden, fillGolden, GOLDEN_CASES, goldenPath } from "../snapshot/golden_content.ts";
import { runSnapshotIn } from "../snapshot/run_snapshot.ts";
import { startRegistry } from "./registry_process.ts";

Deno.test("snapshots of a real docker-registry match the golden files", async (t) => {
  const registry = await startRegistry();
  try {
    await fillGolden(registry.url);
    for (const c of GOLDEN_CASES) {
      await t.step(
        `${c.args.join(" ") || "(yaml)"} of ${c.path || "the whole registry"} matches ${c.file}`,
        async () => {
          const r = await runSnapshotIn(
            [`--snapshot=${registry.host}${c.path}`, ...c.args],
            globalThis.fetch,
          );
          assert.equal(r.code, 0);
          assert.equal(r.stdout, await checkGolden(goldenPath(c, "plain"), r.stdout));
        },
      );
    }
  } finally {
    await registry.stop();
  }
});
