import assert from "node:assert/strict";
import { Logger } from "../../../src/log.ts";
import { ANONYMOUS } from "../../../src/registry/auth/mod.ts";
import { walkRegistry } from "../../../src/registry/inventory.ts";
import { Registries } from "../../../src/registry/open.ts";

const DEMO = new URL("../../../testdata/demo/staging", import.meta.url).pathname;

Deno.test("Registries.open(ocidir://…) reads the demo staging directory into a whole inventory", async () => {
  const registries = new Registries({
    keyFiles: [],
    env: () => undefined,
    insecureHosts: [],
    credentials: () => ANONYMOUS,
    fetch: () => Promise.reject(new Error("an ocidir registry needs no network")),
    now: () => 0,
    log: new Logger("error", () => {}),
  });
  const { backend, prefix } = registries.open(`ocidir://${DEMO}`);
  assert.equal(prefix, "");
  assert.equal(backend.display, `ocidir://${DEMO}`);
  const inventory = await walkRegistry(backend, "");
  assert.deepEqual([...inventory.keys()], ["hello", "multi", "tools/echo"]);
  const hello = [...inventory.get("hello")!.values()].map((r) => r.tags.join(",")).sort();
  assert.deepEqual(hello, ["1.0", "1.1,latest", "1.2-rc.1"]);
  const multi = [...inventory.get("multi")!.values()];
  const index = multi.find((r) => r.tags.includes("2.0"))!;
  assert.equal(index.mediaType, "application/vnd.oci.image.index.v1+json");
  assert.equal(index.children?.length, 2);
  for (const child of index.children!) {
    assert.deepEqual(inventory.get("multi")!.get(child)?.tags, []);
  }
  assert.equal(multi.length, 3);
});
