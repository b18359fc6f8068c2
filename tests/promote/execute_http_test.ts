/** Execution through the real HTTP client against in-memory fake registries with faults. */
import { recordingPolicy } from "../fakes/retry_policy.ts";
import assert from "node:assert/strict";
import { Logger } from "../../src/log.ts";
import type { Edge } from "../../src/manifest/types.ts";
import {
  execute,
  openRegistries,
  plan,
  type RegistryAccess,
  takeInventory,
} from "../../src/promote/mod.ts";
import { HttpBackend } from "../../src/registry/http/backend.ts";
import { plainHttpFetch } from "../../src/registry/http/http_fetch.ts";
import { readRepositories } from "../../src/registry/inventory.ts";
import { makeImage, makeIndex } from "../fixtures/images.ts";
import { FakeRegistry } from "../fakes/registry.ts";
import { edge, manifestOf } from "./edges_fixture.ts";

const SRC_HOST = "stage.test";
const DST_HOST = "prod.test";

/**
 * A source and a destination fake registry, reached through cip's HTTP backend and promoted to
 * as the pipeline does (listings read as a promotion reads them); `dst` options name the
 * destination's host and whether it serves the GCR/AR extension.
 */
function world(dstOptions: { host?: string; extension?: { numbers: "string" | "int" } } = {}) {
  const dstHost = dstOptions.host ?? DST_HOST;
  const src = new FakeRegistry({ host: SRC_HOST });
  const dst = new FakeRegistry({ ...dstOptions, host: dstHost });
  const route: typeof fetch = (input, init) => {
    const req = input instanceof Request && init === undefined ? input : new Request(input, init);
    return new URL(req.url).host === SRC_HOST ? src.fetch(req) : dst.fetch(req);
  };
  const http = plainHttpFetch(route);
  const S = new HttpBackend({ host: SRC_HOST, fetch: http, insecureHosts: [SRC_HOST] });
  const D = new HttpBackend({ host: dstHost, fetch: http, insecureHosts: [dstHost] });
  const m = manifestOf(SRC_HOST, [dstHost]);
  const backends = new Map([[SRC_HOST, S], [dstHost, D]]);
  const access: RegistryAccess = {
    open: (name) => Promise.resolve({ backend: backends.get(name)!, prefix: "" }),
    readRepositories: (b, repos) =>
      readRepositories(b, repos, undefined, { childrenOnlyIfUnlisted: true }),
  };
  const run = async (edges: Edge[], sleeps: number[] = []) => {
    const registries = await openRegistries(edges, access);
    const { inventories, lookups } = await takeInventory(edges, registries, access);
    const p = plan({ edges, locations: registries.locations, inventories, lookups });
    const r = await execute(p, {
      backends,
      inventories,
      log: new Logger("error", () => {}),
      copier: { policy: recordingPolicy(sleeps) },
    });
    return { p, r, inventories, D };
  };
  return { src, dst, m, run, host: dstHost };
}

Deno.test("execute() over HTTP promotes the others when the source answers 403 for one image", async () => {
  const { src, dst, m, run } = world();
  const good = makeImage({ layers: 2, mediaType: "oci", seed: 1 });
  const kids = [1, 2].map((s) => makeImage({ layers: 1, mediaType: "docker", seed: 10 + s }));
  const list = makeIndex(kids, "docker");
  const bad = makeImage({ layers: 1, mediaType: "oci", seed: 3 });
  src.seed("good", good, ["1"]);
  src.seedIndex("list", list, ["1"]);
  src.seed("bad", bad, ["1"]);
  src.faults.add({
    method: "GET",
    path: /^\/v2\/bad\/blobs\//,
    action: { status: 403, code: "DENIED" },
  });
  const { r } = await run([
    edge(m, DST_HOST, "good", good.manifest.digest, "1"),
    edge(m, DST_HOST, "list", list.manifest.digest, "1"),
    edge(m, DST_HOST, "bad", bad.manifest.digest, "1"),
  ]);
  const byImage = new Map([...r.outcomes].map(([a, o]) => [a.image, o]));
  assert.equal(byImage.get("good")?.ok, true);
  assert.equal(byImage.get("list")?.ok, true);
  assert.equal(byImage.get("bad")?.ok, false);
  assert.match(
    byImage.get("bad")?.error ?? "",
    /Cannot copy blob sha256:\w+ from stage\.test\/bad.*403/,
  );
  assert.deepEqual(dst.manifest("good", "1")?.bytes, good.manifest.bytes);
  assert.deepEqual(dst.manifest("list", "1")?.bytes, list.manifest.bytes);
  assert.equal(dst.manifest("bad", "1"), undefined);
  assert.equal(dst.manifest("bad", bad.manifest.digest), undefined);
});

Deno.test("execute() over HTTP retries a blob upload the destination failed with 503", async () => {
  const { src, dst, m, run } = world();
  const img = makeImage({ layers: 1, mediaType: "oci", seed: 5, layerSize: 200_000 });
  src.seed("foo", img, ["1"]);
  dst.faults.add({ method: "PUT", path: /\/blobs\/uploads\//, times: 1, action: { status: 503 } });
  const sleeps: number[] = [];
  const { r } = await run([edge(m, DST_HOST, "foo", img.manifest.digest, "1")], sleeps);
  assert.deepEqual([...r.outcomes.values()].map((o) => o.error), [undefined]);
  assert.equal(sleeps.length, 1);
  assert.deepEqual(dst.manifest("foo", "1")?.bytes, img.manifest.bytes);
  assert.ok(dst.hasBlob("foo", img.layers[0]!.digest));
});

Deno.test("execute() over HTTP transfers a blob shared by two images of a repository once", async () => {
  const { src, m, run } = world();
  const shared = makeImage({ layers: 1, mediaType: "oci", seed: 7 }).layers[0]!.bytes;
  const a = makeImage({ layers: [shared], mediaType: "oci", seed: 8 });
  const b = makeImage({ layers: [shared], mediaType: "docker", seed: 9 });
  src.seed("foo", a, ["a"]);
  src.seed("foo", b, ["b"]);
  const { r } = await run([
    edge(m, DST_HOST, "foo", a.manifest.digest, "a"),
    edge(m, DST_HOST, "foo", b.manifest.digest, "b"),
  ]);
  assert.ok([...r.outcomes.values()].every((o) => o.ok));
  assert.equal(src.count({ method: "GET", path: `/v2/foo/blobs/${a.layers[0]!.digest}` }), 1);
  assert.equal(r.stats.blobsStreamed, 3);
});

Deno.test("on a registry whose listing names every manifest, cip asks nothing the listing answered", async () => {
  const { src, dst, m, run, host } = world({
    host: "europe-docker.pkg.dev",
    extension: { numbers: "int" },
  });
  const kids = [1, 2].map((s) => makeImage({ layers: 1, mediaType: "oci", seed: 20 + s }));
  const list = makeIndex(kids, "oci");
  src.seedIndex("multi", list, ["v1"]);
  const edges = [edge(m, host, "multi", list.manifest.digest, "v1")];
  const asked = async () => {
    const { r } = await run(edges);
    assert.ok([...r.outcomes.values()].every((o) => o.ok));
    const all = dst.requests.map((q) => `${q.method} ${q.path}`);
    dst.requests.length = 0;
    return all;
  };
  // Into a repository that does not exist: no blob or manifest is looked for, only the tag is
  // read right before it is written (tags never move).
  const first = await asked();
  assert.deepEqual(first.filter((q) => q.startsWith("HEAD") || q.startsWith("GET")), [
    "GET /v2/multi/tags/list",
    "HEAD /v2/multi/manifests/v1",
  ]);
  assert.equal(first.filter((q) => q === "POST /v2/multi/blobs/uploads/").length, 4);
  assert.deepEqual(dst.manifest("multi", "v1")?.bytes, list.manifest.bytes);
  // Everything there: the listing says so, and nothing else is asked (no index is read).
  assert.deepEqual(await asked(), ["GET /v2/multi/tags/list"]);
});

Deno.test("execute() over HTTP mounts the blobs of a manifest another repository is listed holding", async () => {
  const { src, dst, m, run } = world();
  const kids = [1, 2].map((s) => makeImage({ layers: 2, mediaType: "oci", seed: 30 + s }));
  const list = makeIndex(kids, "oci");
  src.seedIndex("app", list, ["v1"]);
  dst.seedIndex("elsewhere", list, ["v1"]);
  const { r } = await run([
    edge(m, DST_HOST, "elsewhere", list.manifest.digest, "v1"),
    edge(m, DST_HOST, "app", list.manifest.digest, "v1"),
  ]);
  assert.ok([...r.outcomes.values()].every((o) => o.ok));
  assert.deepEqual(dst.manifest("app", "v1")?.bytes, list.manifest.bytes);
  // Six blobs (two layers and a config per child), all mounted: none read from the source.
  assert.equal(r.stats.blobsMounted, 6);
  assert.equal(r.stats.blobsStreamed, 0);
  assert.equal(src.count({ method: "GET", path: /\/blobs\// }), 0);
  const mounts = dst.requests.filter((q) =>
    q.method === "POST" && q.url.includes("from=elsewhere")
  );
  assert.equal(mounts.length, 6);
});

Deno.test("a registry of any name whose listings carry the extension: its 404 is an absent repository", async () => {
  const { src, dst, m, run, host } = world({
    host: "mirror.test",
    extension: { numbers: "string" },
  });
  const old = makeImage({ layers: 1, mediaType: "oci", seed: 40 });
  const fresh = makeImage({ layers: 2, mediaType: "oci", seed: 41 });
  src.seed("old", old, ["1"]);
  src.seed("fresh", fresh, ["1"]);
  dst.seed("old", old, ["1"]);
  const { r, inventories, D } = await run([
    edge(m, host, "old", old.manifest.digest, "1"),
    edge(m, host, "fresh", fresh.manifest.digest, "1"),
  ]);
  assert.equal(inventories.get(D.id)?.get("fresh")?.listed, "absent");
  assert.ok([...r.outcomes.values()].every((o) => o.ok));
  assert.deepEqual(dst.manifest("fresh", "1")?.bytes, fresh.manifest.bytes);
  // Only the tag is read before it is written; no blob is looked for in the new repository.
  const heads = dst.requests.filter((q) => q.method === "HEAD").map((q) => q.path);
  assert.deepEqual(heads, ["/v2/fresh/manifests/1"]);
});
