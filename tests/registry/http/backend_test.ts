import assert from "node:assert/strict";
import { HttpBackend } from "../../../src/registry/http/backend.ts";
import { RegistryError } from "../../../src/registry/errors.ts";
import {
  type HttpFetch,
  plainHttpFetch,
  type RequestHint,
} from "../../../src/registry/http/http_fetch.ts";
import { MANIFEST_ACCEPT } from "../../../src/oci/mod.ts";
import { FakeRegistry, type FakeRegistryOptions } from "../../fakes/registry.ts";
import { makeImage, makeIndex } from "../../fixtures/images.ts";

function setup(opts: Partial<FakeRegistryOptions> = {}, host = "reg.test") {
  const fake = new FakeRegistry({ host, ...opts });
  const backend = new HttpBackend({ host, fetch: plainHttpFetch(fake.fetch) });
  return { fake, backend };
}

const image = makeImage({ layers: 2, mediaType: "docker", whitespace: "unusual", seed: 7 });

Deno.test("listTags() follows Link pagination and asks n=1000", async () => {
  const { fake, backend } = setup({ pageSize: 2 });
  fake.seed("team/app", image, ["a", "b", "c", "d", "e"]);
  const listing = await backend.listTags("team/app");
  assert.deepEqual(listing.tags, ["a", "b", "c", "d", "e"]);
  assert.equal(listing.manifests, undefined);
  assert.equal(fake.count({ path: "/v2/team/app/tags/list" }), 3);
  assert.equal(new URL(fake.requests[0]!.url).searchParams.get("n"), "1000");
});

Deno.test("listTags() asks n=10000 on Google hosts", async () => {
  const { fake, backend } = setup({}, "us-docker.pkg.dev");
  fake.seed("p/app", image, ["a"]);
  await backend.listTags("p/app");
  assert.equal(new URL(fake.requests[0]!.url).searchParams.get("n"), "10000");
});

Deno.test("listTags() treats a 404 NAME_UNKNOWN as an empty repository, absent only on Google", async () => {
  const { backend } = setup();
  // A plain registry answers 404 for a repository holding only untagged manifests too.
  assert.deepEqual(await backend.listTags("nothing/here"), { tags: [], notFound: true });
  const google = setup({ extension: { numbers: "int" } }, "europe-docker.pkg.dev").backend;
  assert.deepEqual(await google.listTags("nothing/here"), { tags: [], absent: true });
});

Deno.test("listTags() reads the extension in one request despite pagination", async () => {
  for (const numbers of ["string", "int"] as const) {
    const { fake, backend } = setup({ extension: { numbers }, pageSize: 1 }, "gcr.io");
    const index = makeIndex([image], "docker");
    fake.seed("p/app", image, ["1", "2"]);
    fake.seedIndex("p/app", index, ["multi"]);
    fake.seed("p/app/sub", image, ["x"]);
    const listing = await backend.listTags("p/app");
    assert.equal(fake.count(), 1, numbers);
    assert.deepEqual(listing.tags, ["1", "2", "multi"]);
    assert.deepEqual(listing.children, ["sub"]);
    assert.deepEqual(listing.manifests?.get(image.manifest.digest)?.tags, ["1", "2"]);
    assert.equal(listing.manifests?.get(index.manifest.digest)?.size, 0);
    assert.ok((listing.manifests?.get(image.manifest.digest)?.size ?? 0) > 0);
  }
});

Deno.test("listTags() refuses a next page on another host", async () => {
  const { fake, backend } = setup({ pageSize: 1, linkHost: "evil.test" });
  fake.seed("a", image, ["1", "2"]);
  await assert.rejects(backend.listTags("a"), /another origin/);
  assert.equal(fake.count({ host: "evil.test" }), 0);
});

Deno.test("listRepositories() pages through _catalog and filters by prefix", async () => {
  const { fake, backend } = setup({ pageSize: 2 });
  for (const r of ["a", "team", "team/x", "team/x/y", "teamy", "z"]) fake.seed(r, image, ["t"]);
  assert.deepEqual(await backend.listRepositories(""), [
    "a",
    "team",
    "team/x",
    "team/x/y",
    "teamy",
    "z",
  ]);
  assert.equal(fake.count({ path: "/v2/_catalog" }), 3);
  assert.deepEqual(await backend.listRepositories("team"), ["team", "team/x", "team/x/y"]);
});

Deno.test("listRepositories() walks children where the extension exists, without _catalog", async () => {
  const { fake, backend } = setup({ extension: true });
  for (const r of ["p/a", "p/a/b/c", "p/d", "q/z"]) fake.seed(r, image, ["t"]);
  assert.deepEqual(await backend.listRepositories("p"), ["p/a", "p/a/b/c", "p/d"]);
  assert.equal(fake.count({ path: "/v2/_catalog" }), 0);
  // p, p/a, p/a/b, p/a/b/c, p/d: one tags/list each.
  assert.equal(fake.count(), 5);
});

Deno.test("listRepositories() never uses _catalog on Google hosts", async () => {
  const { fake, backend } = setup({ extension: true }, "gcr.io");
  assert.deepEqual(await backend.listRepositories("proj"), []);
  assert.equal(fake.count({ path: "/v2/_catalog" }), 0);
});

Deno.test("headManifest() sends the full Accept list and reads the descriptor", async () => {
  const { fake, backend } = setup();
  fake.seed("a", image, ["1"]);
  assert.deepEqual(await backend.headManifest("a", "1"), {
    mediaType: image.manifest.mediaType,
    digest: image.manifest.digest,
    size: image.manifest.bytes.length,
  });
  assert.equal(fake.requests[0]!.method, "HEAD");
  assert.equal(fake.requests[0]!.headers.get("Accept"), MANIFEST_ACCEPT);
  assert.equal(await backend.headManifest("a", "2"), null);
});

Deno.test("getManifest() returns the exact bytes the registry stores", async () => {
  const { fake, backend } = setup();
  fake.seed("a", image, ["1"]);
  for (const ref of ["1", image.manifest.digest]) {
    const m = await backend.getManifest("a", ref);
    assert.deepEqual(m, image.manifest);
  }
  assert.equal(await backend.getManifest("a", "nope"), null);
});

Deno.test("getManifest() refuses a body that does not match the digest asked for", async () => {
  const { fake } = setup();
  fake.seed("a", image, ["1"]);
  const other = makeImage({ layers: 1, mediaType: "docker", seed: 99 });
  // A registry answering every manifest request with another image's bytes.
  const lying: HttpFetch = async (req) => {
    const res = await fake.fetch(req);
    if (!req.url.includes("/manifests/")) return res;
    await res.body?.cancel();
    return new Response(other.manifest.bytes as Uint8Array<ArrayBuffer>, {
      headers: { "Content-Type": other.manifest.mediaType },
    });
  };
  const backend = new HttpBackend({ host: "reg.test", fetch: lying });
  await assert.rejects(backend.getManifest("a", image.manifest.digest), RegistryError);
});

Deno.test("putManifest() stores the exact bytes under a tag", async () => {
  const { fake, backend } = setup();
  for (const b of [image.config, ...image.layers]) fake.state.putBlob("dst", b.digest, b.bytes);
  await backend.putManifest("dst", "v1", image.manifest);
  assert.deepEqual(fake.manifest("dst", "v1")?.bytes, image.manifest.bytes);
  assert.equal(fake.requests[0]!.headers.get("Content-Type"), image.manifest.mediaType);
});

Deno.test("putManifest() reports the registry's status and OCI codes", async () => {
  const { backend } = setup();
  const index = makeIndex([image], "oci");
  const err = await backend.putManifest("dst", "v1", index.manifest).then(
    () => assert.fail("stored an index without its children"),
    (e) => e,
  );
  assert.ok(err instanceof RegistryError);
  assert.equal(err.status, 400);
  assert.deepEqual(err.codes, ["MANIFEST_BLOB_UNKNOWN"]);
  assert.equal(err.temporary, false);
  assert.match(
    err.message,
    /^Cannot store manifest .* registry returned 400 MANIFEST_BLOB_UNKNOWN/,
  );
});

Deno.test("putManifest() refuses bytes that do not have the descriptor's digest", async () => {
  const { fake, backend } = setup();
  const bad = { ...image.manifest, digest: "sha256:" + "0".repeat(64) };
  await assert.rejects(backend.putManifest("dst", "v1", bad), /do not have that digest/);
  assert.equal(fake.count(), 0);
});

Deno.test("a 429 and a reset become temporary RegistryErrors", async () => {
  const { fake, backend } = setup();
  fake.faults.add({ times: 1, action: { status: 429, retryAfter: "1" } });
  fake.faults.add({ times: 1, action: { reset: true } });
  const e429 = await backend.listTags("a").catch((e) => e);
  assert.ok(e429 instanceof RegistryError);
  assert.equal(e429.status, 429);
  assert.equal(e429.temporary, true);
  assert.deepEqual(e429.codes, ["TOOMANYREQUESTS"]);
  const reset = await backend.listTags("a").catch((e) => e);
  assert.ok(reset instanceof RegistryError);
  assert.equal(reset.temporary, true);
  assert.ok(reset.cause instanceof TypeError);
});

Deno.test("every request names the token scopes it needs, push scope first", async () => {
  const fake = new FakeRegistry({ host: "reg.test" });
  const hints: [string, string[]][] = [];
  const spy: HttpFetch = (req, hint?: RequestHint) => {
    hints.push([`${req.method} ${new URL(req.url).pathname}`, hint?.scopes ?? []]);
    return fake.fetch(req);
  };
  fake.seed("src", image, ["1"]);
  const backend = new HttpBackend({ host: "reg.test", fetch: spy });
  await backend.listTags("src");
  await backend.mountBlob("dst", image.config.digest, "src");
  await backend.listRepositories("");
  assert.deepEqual(hints, [
    ["GET /v2/src/tags/list", ["repository:src:pull"]],
    ["POST /v2/dst/blobs/uploads/", ["repository:dst:pull,push", "repository:src:pull"]],
    ["GET /v2/_catalog", ["registry:catalog:*"]],
  ]);
});

Deno.test("loopback hosts are reached over http, others over https", async () => {
  const { fake, backend } = setup({}, "127.0.0.1:5000");
  await backend.listTags("a");
  assert.ok(fake.requests[0]!.url.startsWith("http://127.0.0.1:5000/v2/"));
  const other = setup({}, "reg.test");
  await other.backend.listTags("a");
  assert.ok(other.fake.requests[0]!.url.startsWith("https://reg.test/v2/"));
});

/**
 * A registry whose listings link on to fresh URLs of pages that add nothing new (for 1000
 * pages, so a client that follows them all finishes and fails the test instead of hanging it).
 */
function endlessPages(body: (n: number) => unknown) {
  let served = 0;
  const f: typeof fetch = (input) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    served++;
    const link = `<${url.pathname}?n=1000&last=x${served}>; rel="next"`;
    return Promise.resolve(
      Response.json(body(served), { headers: served < 1000 ? { Link: link } : {} }),
    );
  };
  return { fetch: f, served: () => served };
}

Deno.test("listTags() gives up on pages that keep linking on but bring no new tag", async () => {
  const reg = endlessPages((n) => ({
    name: "a",
    tags: n === 1 ? ["1"] : n % 2 === 0 ? [] : ["1"],
  }));
  const backend = new HttpBackend({ host: "reg.test", fetch: plainHttpFetch(reg.fetch) });
  await assert.rejects(
    backend.listTags("a"),
    (e) => e instanceof RegistryError && /10 pages in a row brought no new entry/.test(e.message),
  );
  assert.equal(reg.served(), 11);
});

Deno.test("listRepositories() gives up on a _catalog that links on forever to empty pages", async () => {
  const reg = endlessPages(() => ({ repositories: [] }));
  const backend = new HttpBackend({ host: "reg.test", fetch: plainHttpFetch(reg.fetch) });
  await assert.rejects(backend.listRepositories(""), /pages in a row brought no new entry/);
  assert.equal(reg.served(), 10);
});
