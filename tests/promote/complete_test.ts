import assert from "node:assert/strict";
import { completeInventories } from "../../src/promote/complete.ts";
import { ContentReader } from "../../src/registry/mod.ts";
import { plan } from "../../src/promote/plan.ts";
import type { Inventory } from "../../src/registry/inventory_types.ts";
import { RegistryError } from "../../src/registry/errors.ts";
import { MemoryBackend } from "../fakes/memory_backend.ts";
import { edge, manifestOf } from "./edges_fixture.ts";
import { bytesOf, seedImage, seedIndex } from "./image_fixture.ts";

function setup() {
  const stage = new MemoryBackend("stage");
  const prod = new MemoryBackend("prod");
  const backends = new Map([["stage", stage], ["prod", prod]]);
  const locations = new Map([
    ["stage", { backendId: "stage", prefix: "" }],
    ["prod", { backendId: "prod", prefix: "" }],
  ]);
  return { stage, prod, backends, locations, m: manifestOf("stage", ["prod"]) };
}

Deno.test("completeInventories() finds an untagged destination digest with a HEAD, and skips the source", async () => {
  const { stage, prod, backends, locations, m } = setup();
  const img = seedImage(prod, "foo", [bytesOf("a")]);
  seedImage(stage, "foo", [bytesOf("a")]);
  const inventories = new Map<string, Inventory>();
  const edges = [edge(m, "prod", "foo", img.digest, "1")];
  const failures = await completeInventories(edges, locations, backends, inventories);
  assert.deepEqual(failures, []);
  assert.deepEqual(prod.calls.map((c) => [c.op, c.ref]), [
    ["headManifest", "1"],
    ["headManifest", img.digest],
  ]);
  assert.deepEqual(stage.calls, []);
  assert.equal(plan({ edges, locations, inventories }).decisions[0]?.decision, "tag");
});

Deno.test("completeInventories() reads a wanted tag the listing left out, so the plan refuses moving it", async () => {
  const { stage, prod, backends, locations, m } = setup();
  const there = seedImage(prod, "foo", [bytesOf("b")], { tags: ["1.0"] });
  const wanted = seedImage(stage, "foo", [bytesOf("a")]);
  const inventories = new Map<string, Inventory>([["prod", new Map([["foo", new Map()]])]]);
  const edges = [edge(m, "prod", "foo", wanted.digest, "1.0")];
  assert.deepEqual(await completeInventories(edges, locations, backends, inventories), []);
  const d = plan({ edges, locations, inventories }).decisions[0]!;
  assert.equal(d.decision, "tag-move");
  assert.equal(d.current, there.digest);
});

Deno.test("completeInventories() asks nothing about a tag the listing shows", async () => {
  const { prod, backends, locations, m } = setup();
  const img = seedImage(prod, "foo", [bytesOf("a")], { tags: ["1.0"] });
  const inventories = new Map<string, Inventory>([[
    "prod",
    new Map([["foo", new Map([[img.digest, { digest: img.digest, tags: ["1.0"] }]])]]),
  ]]);
  const edges = [edge(m, "prod", "foo", img.digest, "1.0")];
  await completeInventories(edges, locations, backends, inventories);
  assert.deepEqual(prod.calls, []);
  assert.equal(plan({ edges, locations, inventories }).decisions[0]?.decision, "present");
});

Deno.test("completeInventories() reads a source digest with one GET, keeps its bytes and its children", async () => {
  const { stage, backends, locations, m } = setup();
  const kids = [seedImage(stage, "foo", [bytesOf("x")]), seedImage(stage, "foo", [bytesOf("y")])];
  const idx = seedIndex(stage, "foo", kids);
  const inventories = new Map<string, Inventory>();
  const reader = new ContentReader();
  const edges = [edge(m, "prod", "foo", idx.digest, "1"), edge(m, "prod", "foo", idx.digest, "2")];
  await completeInventories(edges, locations, backends, inventories, reader);
  assert.deepEqual(stage.calls.map((c) => c.op), ["getManifest"]);
  // The reader keeps the bytes: asking again reads nothing more.
  const kept = await reader.manifest(backends.get("stage")!, "foo", idx.digest);
  assert.deepEqual(kept?.bytes, stage.manifestBytes("foo", idx.digest));
  assert.deepEqual(stage.calls.map((c) => c.op), ["getManifest"]);
  assert.deepEqual(
    inventories.get("stage")?.get("foo")?.get(idx.digest)?.children,
    kids.map((k) => k.digest),
  );
});

Deno.test("completeInventories() returns a failed source lookup, and plan() copies that image", async () => {
  const { stage, backends, locations, m } = setup();
  const img = seedImage(stage, "foo", [bytesOf("a")]);
  stage.fault = () => new RegistryError("registry returned 403", { status: 403 });
  const inventories = new Map<string, Inventory>();
  const edges = [edge(m, "prod", "foo", img.digest, "1")];
  const failures = await completeInventories(edges, locations, backends, inventories);
  assert.deepEqual(failures.map((f) => [f.registry, f.image, f.digest, f.at]), [[
    "stage",
    "foo",
    img.digest,
    "source",
  ]]);
  assert.match((failures[0]?.error as Error).message, /403/);
  assert.equal(inventories.get("stage")?.get("foo")?.has(img.digest), false);
  assert.equal(plan({ edges, locations, inventories }).decisions[0]?.decision, "missing");
  const decided = plan({ edges, locations, inventories, lookups: failures });
  assert.equal(decided.decisions[0]?.decision, "copy");
});

Deno.test("completeInventories() reports a digest found nowhere as missing", async () => {
  const { backends, locations, m } = setup();
  const ghost = `sha256:${"1".repeat(64)}`;
  const inventories = new Map<string, Inventory>();
  const edges = [edge(m, "prod", "foo", ghost, null)];
  assert.deepEqual(await completeInventories(edges, locations, backends, inventories), []);
  assert.equal(plan({ edges, locations, inventories }).decisions[0]?.decision, "missing");
});
