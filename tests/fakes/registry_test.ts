import assert from "node:assert/strict";
import {
  asBody,
  digestOf,
  makeImage,
  makeIndex,
  pushImage,
  pushIndex,
} from "../fixtures/images.ts";
import { FakeRegistry } from "./registry.ts";

const ACCEPT = [
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
].join(", ");

Deno.test("fake registry stores what pushImage pushes and serves the exact bytes", async () => {
  const fake = new FakeRegistry({ host: "reg.test" });
  const image = makeImage({ layers: 2, mediaType: "docker", whitespace: "unusual" });
  await pushImage("https://reg.test", "a/b", image, ["1.0"], { fetch: fake.fetch });
  const res = await fake.fetch("https://reg.test/v2/a/b/manifests/1.0", {
    headers: { Accept: ACCEPT },
  });
  assert.equal(res.status, 200);
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.deepEqual(bytes, image.manifest.bytes);
  assert.equal(res.headers.get("Docker-Content-Digest"), image.manifest.digest);
  assert.equal(digestOf(bytes), image.manifest.digest);
});

Deno.test("fake registry rejects an index whose children are missing", async () => {
  const fake = new FakeRegistry({ host: "reg.test" });
  const index = makeIndex([makeImage({ layers: 1, mediaType: "oci" })], "oci");
  const res = await fake.fetch("https://reg.test/v2/x/manifests/v1", {
    method: "PUT",
    headers: { "Content-Type": index.manifest.mediaType },
    body: asBody(index.manifest.bytes),
  });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /MANIFEST_BLOB_UNKNOWN/);
  await pushIndex("https://reg.test", "x", index, ["v1"], { fetch: fake.fetch });
  assert.equal(fake.manifest("x", "v1")?.bytes.length, index.manifest.bytes.length);
});

Deno.test("fake registry paginates tags with Link headers", async () => {
  const fake = new FakeRegistry({ host: "reg.test", pageSize: 2 });
  fake.seed("r", makeImage({ layers: 1, mediaType: "oci" }), ["a", "b", "c"]);
  const first = await fake.fetch("https://reg.test/v2/r/tags/list?n=1000");
  assert.deepEqual((await first.json()).tags, ["a", "b"]);
  assert.equal(first.headers.get("Link"), '</v2/r/tags/list?n=2&last=b>; rel="next"');
  const second = await fake.fetch("https://reg.test/v2/r/tags/list?n=2&last=b");
  assert.deepEqual((await second.json()).tags, ["c"]);
  assert.equal(second.headers.get("Link"), null);
});

Deno.test("fake registry requires a token with the right scope when auth is on", async () => {
  const fake = new FakeRegistry({
    host: "reg.test",
    auth: { users: { u: "p" }, grant: (_u, _r, action) => action === "pull" },
  });
  fake.seed("r", makeImage({ layers: 1, mediaType: "oci" }), ["a"]);
  const anon = await fake.fetch("https://reg.test/v2/r/tags/list");
  assert.equal(anon.status, 401);
  assert.equal(
    anon.headers.get("WWW-Authenticate"),
    'Bearer realm="https://reg.test/token",service="reg.test",scope="repository:r:pull"',
  );
  await anon.body?.cancel();
  const tok = await fake.fetch(
    "https://reg.test/token?service=reg.test&scope=repository:r:pull,push",
    { headers: { Authorization: `Basic ${btoa("u:p")}` } },
  );
  const { token } = await tok.json();
  const ok = await fake.fetch("https://reg.test/v2/r/tags/list", {
    headers: { Authorization: `Bearer ${token}` },
  });
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
  const push = await fake.fetch("https://reg.test/v2/r/blobs/uploads/", {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
  });
  assert.equal(push.status, 401, "push was not granted");
  await push.body?.cancel();
  assert.deepEqual(fake.auth?.tokenRequests[0]?.scopes, ["repository:r:pull,push"]);
});

Deno.test("fake registry faults fire the given number of times", async () => {
  const fake = new FakeRegistry({ host: "reg.test" });
  const f = fake.faults.add({
    method: "GET",
    path: "/v2/",
    times: 1,
    action: { status: 429, retryAfter: "3" },
  });
  fake.faults.add({ path: /_catalog/, times: 1, action: { reset: true } });
  const first = await fake.fetch("https://reg.test/v2/");
  assert.equal(first.status, 429);
  assert.equal(first.headers.get("Retry-After"), "3");
  await first.body?.cancel();
  const second = await fake.fetch("https://reg.test/v2/");
  assert.equal(second.status, 200);
  await second.body?.cancel();
  assert.equal(f.hits, 1);
  await assert.rejects(fake.fetch("https://reg.test/v2/_catalog"), TypeError);
  assert.equal(fake.count({ method: "GET", path: "/v2/" }), 2);
});

Deno.test("fake registry serves the extension with integer numbers and children", async () => {
  const fake = new FakeRegistry({ host: "gcr.io", extension: { numbers: "int" } });
  const image = makeImage({ layers: 1, mediaType: "docker" });
  fake.seed("p/a", image, ["1"]);
  fake.seed("p/a/b", image, ["2"]);
  const res = await fake.fetch("https://gcr.io/v2/p/a/tags/list");
  const body = await res.json();
  assert.deepEqual(body.child, ["b"]);
  assert.equal(typeof body.manifest[image.manifest.digest].imageSizeBytes, "number");
  assert.deepEqual(body.manifest[image.manifest.digest].tag, ["1"]);
  const parent = await (await fake.fetch("https://gcr.io/v2/p/tags/list")).json();
  assert.deepEqual(parent.child, ["a"]);
  assert.deepEqual(parent.tags, []);
});
