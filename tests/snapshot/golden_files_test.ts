import assert from "node:assert/strict";
import { GOLDEN_CASES, goldenPath } from "./golden_content.ts";

/** Drops the `size` fields, which the GCR extension reports as whole-image sizes. */
function withoutSizes(text: string): unknown {
  return JSON.parse(text, (key, value) => key === "size" ? undefined : value);
}

for (const c of GOLDEN_CASES.filter((c) => c.perSource)) {
  Deno.test(`${c.file} differs between registries with and without the extension only in sizes`, async () => {
    const plain = await Deno.readTextFile(goldenPath(c, "plain"));
    const gcr = await Deno.readTextFile(goldenPath(c, "gcr"));
    assert.notEqual(plain, gcr);
    assert.deepEqual(withoutSizes(gcr), withoutSizes(plain));
  });
}
