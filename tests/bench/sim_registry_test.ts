import assert from "node:assert/strict";
import { Logger } from "../../src/log.ts";
import { ANONYMOUS } from "../../src/registry/mod.ts";
import { Registries } from "../../src/registry/open.ts";
import { RequestCounter, seededRandom, TokenBucket, withQuota } from "../fakes/sim_quota.ts";
import { requestKind, SimRegistry } from "../fakes/sim_registry.ts";
import { ContentStore, HostState } from "../fakes/sim_store.ts";
import { makeSimImage, makeSimIndex } from "./synthetic_content.ts";

/** A host holding one index (two children) tagged v1 in `proj/app`, and a fetch to it. */
function setUp(opts: { rps?: number; now?: () => number } = {}) {
  const store = new ContentStore();
  const kids = ["amd64", "arm64"].map((a) => makeSimImage(store, `seed-${a}`, a));
  const index = makeSimIndex(store, "seed-index", kids);
  const state = new HostState(store);
  state.seed("proj/app", index.digest, ["v1"]);
  const counter = new RequestCounter(new Set(["dst"]));
  const quota: Parameters<typeof withQuota>[1] = { host: "dst", latency: () => 0, counter };
  if (opts.rps) quota.bucket = new TokenBucket(opts.rps, opts.rps, opts.now ?? Date.now);
  const registry = new SimRegistry(state, "int");
  const handler = withQuota((r) => registry.handle(r), quota);
  const f =
    ((input: RequestInfo | URL, init?: RequestInit) =>
      handler(new Request(input, init))) as typeof fetch;
  return { store, kids, index, state, counter, f };
}

Deno.test("the simulated registry lists like Artifact Registry: manifest map, tags, children", async () => {
  const { f, index, kids } = setUp();
  const body = await (await f("http://h/v2/proj/app/tags/list")).json();
  assert.deepEqual(body.tags, ["v1"]);
  assert.deepEqual(body.child, []);
  assert.deepEqual(body.manifest[index.digest].tag, ["v1"]);
  assert.equal(body.manifest[index.digest].imageSizeBytes, 0);
  assert.equal(body.manifest[kids[0]!.digest].mediaType, kids[0]!.mediaType);
  assert.ok(body.manifest[kids[0]!.digest].imageSizeBytes > 0);
  assert.deepEqual((await (await f("http://h/v2/proj/tags/list")).json()).child, ["app"]);
  assert.equal((await f("http://h/v2/nope/tags/list")).status, 404);
});

Deno.test("cip's own client reads the simulated extension: tags, manifests, children", async () => {
  const { f, index } = setUp();
  const registries = new Registries({
    keyFiles: [],
    env: () => undefined,
    insecureHosts: [],
    credentials: () => ANONYMOUS,
    fetch: f,
    now: Date.now,
    log: new Logger("error"),
  });
  const { backend } = registries.open("127.0.0.1:5000/proj");
  const listing = await backend.listTags("proj/app");
  assert.deepEqual(listing.tags, ["v1"]);
  assert.equal(listing.manifests?.size, 3);
  assert.equal(listing.manifests?.get(index.digest)?.mediaType, index.mediaType);
  assert.deepEqual(await backend.listRepositories("proj"), ["proj/app"]);
});

Deno.test("the simulated registry stores strictly: blobs and children first, then mounts", async () => {
  const { f, kids, index, state } = setUp();
  const put = (repo: string, ref: string, m: { bytes: Uint8Array; mediaType: string }) =>
    f(`http://h/v2/${repo}/manifests/${ref}`, {
      method: "PUT",
      headers: { "Content-Type": m.mediaType },
      body: m.bytes as Uint8Array<ArrayBuffer>,
    });
  const refused = await put("other/app", "v1", index);
  assert.equal(refused.status, 400);
  assert.equal((await refused.json()).errors[0].code, "MANIFEST_BLOB_UNKNOWN");
  for (const k of kids) {
    for (const b of k.blobs) {
      const res = await f(`http://h/v2/other/app/blobs/uploads/?mount=${b}&from=proj/app`, {
        method: "POST",
      });
      assert.equal(res.status, 201);
    }
    assert.equal((await put("other/app", k.digest, k)).status, 201);
  }
  assert.equal((await put("other/app", "v1", index)).status, 201);
  assert.equal(state.resolve("other/app", "v1")?.digest, index.digest);
  const head = await f(`http://h/v2/other/app/manifests/v1`, { method: "HEAD" });
  assert.equal(head.headers.get("Docker-Content-Digest"), index.digest);
});

Deno.test("the simulated registry takes an upload in a POST and a PUT", async () => {
  const { f, state } = setUp();
  const bytes = new TextEncoder().encode("a new layer");
  const digest = `sha256:${
    Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)))
      .map((b) => b.toString(16).padStart(2, "0")).join("")
  }`;
  const post = await f("http://h/v2/new/repo/blobs/uploads/", { method: "POST" });
  assert.equal(post.status, 202);
  const loc = new URL(post.headers.get("Location")!, "http://h");
  loc.searchParams.set("digest", digest);
  assert.equal((await f(loc, { method: "PUT", body: bytes })).status, 201);
  assert.ok(state.holdsBlob("new/repo", digest));
  const bad = await f("http://h/v2/new/repo/blobs/uploads/", { method: "POST" });
  const loc2 = new URL(bad.headers.get("Location")!, "http://h");
  loc2.searchParams.set("digest", digest);
  assert.equal((await f(loc2, { method: "PUT", body: new Uint8Array([1]) })).status, 400);
});

Deno.test("the quota answers 429 TOOMANYREQUESTS once the bucket is spent, and refills", async () => {
  let t = 0;
  const { f, counter } = setUp({ rps: 2, now: () => t });
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await f("http://h/v2/")).status);
  assert.deepEqual(statuses, [200, 200, 429]);
  const over = await f("http://h/v2/");
  assert.equal(over.headers.get("Retry-After"), null);
  assert.equal((await over.json()).errors[0].code, "TOOMANYREQUESTS");
  t += 500;
  assert.equal((await f("http://h/v2/")).status, 200);
  assert.equal(counter.throttled.get("dst"), 2);
  assert.equal(counter.total().get("dst")?.get("ping"), 5);
});

Deno.test("withQuota() holds each answer for its latency", async () => {
  const counter = new RequestCounter(new Set());
  const handler = withQuota(() => Promise.resolve(new Response("ok")), {
    host: "h",
    latency: () => 40,
    counter,
  });
  const start = performance.now();
  await (await handler(new Request("http://h/v2/"))).text();
  assert.ok(performance.now() - start >= 38);
});

Deno.test("RequestCounter splits a run into phases by the first region request and write", () => {
  const c = new RequestCounter(new Set(["region"]));
  c.record("staging", "manifest GET", false);
  c.record("region", "tags/list", false);
  c.record("staging", "blob GET", false);
  c.record("region", "manifest PUT", false);
  assert.deepEqual([...c.counts.keys()], ["before destinations", "destinations", "writes"]);
  assert.equal(c.counts.get("destinations")?.get("staging")?.get("blob GET"), 1);
  assert.equal(c.total().get("region")?.get("tags/list"), 1);
});

Deno.test("requestKind() names each endpoint and method", () => {
  const k = (m: string, u: string) => requestKind(m, new URL(u, "http://h"));
  assert.equal(k("GET", "/v2/a/b/tags/list?n=1000"), "tags/list");
  assert.equal(k("HEAD", "/v2/a/manifests/v1"), "manifest HEAD");
  assert.equal(k("POST", "/v2/a/blobs/uploads/?mount=sha256:x&from=b"), "mount POST");
  assert.equal(k("PUT", "/v2/a/blobs/uploads/u1?digest=x"), "upload PUT");
  assert.equal(k("HEAD", `/v2/a/blobs/sha256:${"0".repeat(64)}`), "blob HEAD");
});

Deno.test("seededRandom() repeats its sequence for a seed", () => {
  const a = seededRandom(7), b = seededRandom(7);
  const xs = [a(), a(), a()];
  assert.deepEqual(xs, [b(), b(), b()]);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});
