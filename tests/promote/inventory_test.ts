import assert from "node:assert/strict";
import { takeInventory } from "../../src/promote/inventory.ts";
import { ContentReader } from "../../src/registry/mod.ts";
import { openRegistries } from "../../src/promote/open.ts";
import { PromoteSetupError } from "../../src/promote/access.ts";
import { MemoryBackend } from "../fakes/memory_backend.ts";
import { edge, manifestOf } from "./edges_fixture.ts";
import { bytesOf, seedImage } from "./image_fixture.ts";
import { accessOf, type Registries } from "./run_fixture.ts";

const SRC = "stage.example/proj";
const DST = "prod.example/images";
const DST2 = "prod.example/mirror";

function world() {
  const stage = new MemoryBackend("stage");
  const prod = new MemoryBackend("prod");
  const regs: Registries = {
    [SRC]: { backend: stage, prefix: "proj" },
    [DST]: { backend: prod, prefix: "images" },
    [DST2]: { backend: prod, prefix: "mirror" },
  };
  return { stage, prod, regs, m: manifestOf(SRC, [DST, DST2]) };
}

Deno.test("takeInventory() lists only the destination repositories the edges name, once per backend, sorted", async () => {
  const { stage, prod, regs, m } = world();
  const a = seedImage(stage, "proj/foo", [bytesOf("a")]);
  const listed: [string, string[]][] = [];
  const access = accessOf(regs);
  const reading = {
    ...access,
    readRepositories: (b: Parameters<typeof access.readRepositories>[0], repos: string[]) => {
      listed.push([b.id, repos]);
      return access.readRepositories(b, repos);
    },
  };
  const edges = [
    edge(m, DST, "foo", a.digest, "1.0"),
    edge(m, DST2, "foo", a.digest, null),
    edge(m, DST, "bar/baz", a.digest, null),
  ];
  const registries = await openRegistries(edges, reading);
  const reader = new ContentReader();
  const held = await takeInventory(edges, registries, reading, reader);
  assert.deepEqual(listed, [["prod", ["images/bar/baz", "images/foo", "mirror/foo"]]]);
  assert.deepEqual(stage.callsOf("listTags"), []);
  assert.equal(held.inventories.get("stage")?.get("proj/foo")?.has(a.digest), true);
  assert.deepEqual(held.lookups, []);
  // The source manifest read while looking it up is kept by the run's reader: read once.
  const reads = stage.callsOf("getManifest").length;
  const kept = await reader.manifest(registries.backends.get(SRC)!, "proj/foo", a.digest);
  assert.equal(kept?.digest, a.digest);
  assert.equal(stage.callsOf("getManifest").length, reads);
  assert.equal(prod.writes(), 0);
});

Deno.test("takeInventory() fails the run, naming the backend, when a destination cannot be listed", async () => {
  const { regs, m } = world();
  const access = {
    ...accessOf(regs),
    readRepositories: () => Promise.reject(new Error("registry returned 500")),
  };
  const edges = [edge(m, DST, "foo", `sha256:${"1".repeat(64)}`, "1.0")];
  const registries = await openRegistries(edges, access);
  await assert.rejects(
    takeInventory(edges, registries, access),
    (e) => e instanceof PromoteSetupError && /Cannot read repositories of prod/.test(e.message),
  );
});

Deno.test("openRegistries() fails naming a source registry that is not there", async () => {
  const { stage, regs, m } = world();
  stage.fault = (c) => c.op === "checkPresent" ? new Error("no such directory") : undefined;
  const edges = [edge(m, DST, "foo", `sha256:${"1".repeat(64)}`, "1.0")];
  await assert.rejects(
    openRegistries(edges, accessOf(regs)),
    (e) => e instanceof PromoteSetupError && e.message === `Cannot read source registry ${SRC}`,
  );
});
