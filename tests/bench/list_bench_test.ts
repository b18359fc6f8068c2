import assert from "node:assert/strict";
import { benchExtensionRegistry, benchPlainRegistry, formatListBench } from "./list_bench.ts";

Deno.test("listing benchmark makes exactly the minimum requests on a small registry", async () => {
  const plain = await benchPlainRegistry({ repositories: 3, tags: 4, threads: 4 });
  assert.deepEqual(plain.requests, { GET: 1 + 3, HEAD: 12 });
  assert.equal(plain.minimum, 16);
  assert.ok(plain.withinFivePercent);
  assert.match(
    formatListBench(plain),
    /requests: 16 \(GET 4, HEAD 12\); minimum the API allows: 16/,
  );
  const ext = await benchExtensionRegistry({ repositories: 3, tags: 4, threads: 4 });
  // proj, proj/images, then one request per repository.
  assert.deepEqual(ext.requests, { GET: 5 });
});
