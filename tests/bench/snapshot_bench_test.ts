import assert from "node:assert/strict";
import { snapshotMinimum, snapshotMinimumKinds } from "./snapshot_bench.ts";

Deno.test("snapshotMinimum() is a catalog page, a tag list per repository and a GET per tag", () => {
  assert.equal(snapshotMinimum(100, 20), 1 + 100 + 2000);
  assert.equal(snapshotMinimum(1001, 1), 2 + 1001 + 1001);
  assert.deepEqual(Object.fromEntries(snapshotMinimumKinds(100, 1500)), {
    catalog: 1,
    "tags/list": 200,
    "manifest GET": 150_000,
  });
});
