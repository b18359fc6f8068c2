import assert from "node:assert/strict";
import { FakeRegistry } from "../fakes/registry.ts";
import { checkGolden, fillGolden, GOLDEN_CASES, goldenPath } from "./golden_content.ts";
import { runSnapshotIn } from "./run_snapshot.ts";

const fake = new FakeRegistry({ host: "gcr.io", extension: true });
await fillGolden("https://gcr.io", { fetch: fake.fetch });

for (const c of GOLDEN_CASES) {
  Deno.test(`snapshot ${c.args.join(" ") || "(yaml)"} of gcr.io${c.path} with the GCR extension matches ${c.file}`, async () => {
    const r = await runSnapshotIn([`--snapshot=gcr.io${c.path}`, ...c.args], fake.fetch);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, await checkGolden(goldenPath(c, "gcr"), r.stdout));
  });
}
