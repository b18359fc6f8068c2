import assert from "node:assert/strict";
import { HttpBackend } from "../../src/registry/http/backend.ts";
import { RegistryError } from "../../src/registry/errors.ts";
import { plainHttpFetch } from "../../src/registry/http/http_fetch.ts";
import { readRepositories, walkRegistry } from "../../src/registry/inventory.ts";
import { OciDirBackend } from "../../src/registry/ocidir/backend.ts";
import { FakeRegistry, type FakeRegistryOptions } from "../fakes/registry.ts";
import { asBody, makeImage, makeIndex } from "../fixtures/images.ts";

function setup(opts: Partial<FakeRegistryOptions> = {}, host = "reg.test") {
  const fake = new FakeRegistry({ host, ...opts });
  const backend = new HttpBackend({ host, fetch: plainHttpFetch(fake.fetch) });
  return { fake, backend };
}

const amd = makeImage({ layers: 1, mediaType: "docker", seed: 1 });
const arm = makeImage({
  layers: 1,
  mediaType: "docker",
  seed: 2,
  platform: { architecture: "arm64", os: "linux" },
});
const list = makeIndex([amd, arm], "docker");
const solo = makeImage({ layers: 2, mediaType: "oci", seed: 3 });

function fill(fake: FakeRegistry, repo: string): void {
  fake.seed(repo, solo, ["1.0", "latest"]);
  fake.seedIndex(repo, list, ["multi"]);
}

function expectRepo(inv: Map<string, unknown>, repo: string, extension: boolean): void {
  const r = inv.get(repo) as Map<string, Record<string, unknown>>;
  assert.ok(r, repo);
  assert.deepEqual(r.get(solo.manifest.digest)?.tags, ["1.0", "latest"]);
  assert.equal(r.get(solo.manifest.digest)?.mediaType, solo.manifest.mediaType);
  assert.deepEqual(r.get(list.manifest.digest)?.tags, ["multi"]);
  assert.deepEqual(r.get(list.manifest.digest)?.children, [
    amd.manifest.digest,
    arm.manifest.digest,
  ]);
  assert.deepEqual(r.get(amd.manifest.digest)?.tags, []);
  assert.deepEqual(r.get(arm.manifest.digest)?.tags, []);
  assert.equal(r.size, 4);
  if (!extension) {
    assert.equal(r.get(solo.manifest.digest)?.size, solo.manifest.bytes.length);
    assert.equal(r.get(amd.manifest.digest)?.size, amd.manifest.bytes.length);
  } else {
    assert.equal(r.get(list.manifest.digest)?.size, 0);
  }
}

Deno.test("readRepositories() takes one HEAD per tag and one GET per list", async () => {
  const { fake, backend } = setup();
  fill(fake, "a");
  fill(fake, "b/c");
  const inv = await readRepositories(backend, ["b/c", "a", "missing"]);
  assert.deepEqual([...inv.keys()], ["a", "b/c", "missing"]);
  expectRepo(inv, "a", false);
  expectRepo(inv, "b/c", false);
  assert.equal(inv.get("missing")?.size, 0);
  assert.equal(fake.count({ method: "GET", path: /tags\/list$/ }), 3);
  assert.equal(fake.count({ method: "HEAD" }), 6);
  assert.equal(fake.count({ method: "GET", path: /manifests/ }), 2);
  assert.equal(fake.count(), 11);
});

Deno.test("readRepositories() takes one request per repository with the extension", async () => {
  for (const numbers of ["string", "int"] as const) {
    const { fake, backend } = setup({ extension: { numbers } });
    fill(fake, "a");
    const inv = await readRepositories(backend, ["a"]);
    expectRepo(inv, "a", true);
    assert.equal(fake.count({ method: "HEAD" }), 0);
    assert.equal(fake.count(), 2, "tags/list + one GET of the list");
  }
});

Deno.test("walkRegistry() walks children with the extension and never asks _catalog", async () => {
  const { fake, backend } = setup({ extension: true }, "us-docker.pkg.dev");
  fill(fake, "proj/x");
  fill(fake, "proj/x/y/z");
  fill(fake, "other/w");
  const progress: number[] = [];
  const inv = await walkRegistry(backend, "proj", (p) => progress.push(p.done));
  assert.deepEqual([...inv.keys()], ["proj/x", "proj/x/y/z"]);
  expectRepo(inv, "proj/x", true);
  expectRepo(inv, "proj/x/y/z", true);
  assert.equal(fake.count({ path: "/v2/_catalog" }), 0);
  // proj, proj/x, proj/x/y, proj/x/y/z listed once each; one GET per list per repository.
  assert.equal(fake.count({ path: /tags\/list$/ }), 4);
  assert.equal(fake.count(), 6);
  assert.ok(progress.length > 0);
});

Deno.test("walkRegistry() uses _catalog filtered by the prefix on a plain registry", async () => {
  const { fake, backend } = setup();
  fill(fake, "proj/x");
  fill(fake, "projector");
  fill(fake, "other");
  const inv = await walkRegistry(backend, "proj");
  assert.deepEqual([...inv.keys()], ["proj/x"]);
  expectRepo(inv, "proj/x", false);
  assert.equal(fake.count({ path: "/v2/_catalog" }), 1);
  // One probe of the prefix (404), then the catalog, then the repository: no repeats.
  assert.equal(fake.count({ path: "/v2/proj/tags/list" }), 1);
  assert.equal(fake.count(), 1 + 1 + 1 + 3 + 1);
});

Deno.test("walkRegistry() of the whole registry takes the minimum requests", async () => {
  const { fake, backend } = setup({ pageSize: 2 });
  for (const r of ["a", "b", "c", "d", "e"]) fake.seed(r, solo, ["1", "2", "3"]);
  const inv = await walkRegistry(backend, "");
  assert.equal(inv.size, 5);
  // 3 catalog pages, 2 tag-list pages per repository (pages of 2), one HEAD per tag.
  assert.equal(fake.count({ path: "/v2/_catalog" }), 3);
  assert.equal(fake.count({ path: /tags\/list$/ }), 10);
  assert.equal(fake.count({ method: "HEAD" }), 15);
  assert.equal(fake.count(), 28);
});

Deno.test("walkRegistry() and readRepositories() read an OCI layout directory alike", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cip-inventory-" });
  try {
    const backend = new OciDirBackend(dir, { fsync: false });
    for (const repo of ["proj/x", "other"]) {
      for (const child of list.children) {
        for (const b of [child.config, ...child.layers]) {
          await backend.putBlob(repo, b, new Response(asBody(b.bytes)).body!);
        }
        await backend.putManifest(repo, child.manifest.digest, child.manifest);
      }
      await backend.putManifest(repo, "multi", list.manifest);
      for (const b of [solo.config, ...solo.layers]) {
        await backend.putBlob(repo, b, new Response(asBody(b.bytes)).body!);
      }
      await backend.putManifest(repo, "1.0", solo.manifest);
      await backend.putManifest(repo, "latest", solo.manifest);
    }
    const walked = await walkRegistry(backend, "proj");
    assert.deepEqual([...walked.keys()], ["proj/x"]);
    expectRepo(walked, "proj/x", false);
    const read = await readRepositories(backend, ["other", "missing"]);
    expectRepo(read, "other", false);
    assert.equal(read.get("missing")?.size, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("walkRegistry() lists a prefix that is itself a repository only once", async () => {
  const { fake, backend } = setup();
  fill(fake, "proj");
  fill(fake, "proj/x");
  const inv = await walkRegistry(backend, "proj");
  assert.deepEqual([...inv.keys()], ["proj", "proj/x"]);
  expectRepo(inv, "proj", false);
  assert.equal(fake.count({ path: "/v2/proj/tags/list" }), 1);
  assert.equal(fake.count(), 1 + 2 * (1 + 3 + 1));
});

Deno.test("walkRegistry() stops an extension walk whose children never end, before listing them", async () => {
  const children = Array.from({ length: 100 }, (_, i) => `c${i}`);
  let listings = 0;
  const backend = new HttpBackend({
    host: "reg.test",
    fetch: plainHttpFetch(() => {
      listings++;
      return Promise.resolve(Response.json({ tags: [], manifest: {}, child: children }));
    }),
  });
  await assert.rejects(
    walkRegistry(backend, "top", undefined, 1_000),
    /Cannot walk reg\.test: there are more than 1000 repositories below the path/,
  );
  assert.ok(listings <= 1_001, String(listings));
});

Deno.test("readRepositories() refuses a listed tag that cannot be read, never taking it to be absent", async () => {
  const { fake, backend } = setup();
  fake.seed("prod/app", solo, ["1.0", "latest"]);
  fake.faults.add({ method: "HEAD", path: "/v2/prod/app/manifests/1.0", action: { status: 404 } });
  await assert.rejects(
    readRepositories(backend, ["prod/app"]),
    (e) =>
      e instanceof RegistryError && e.status === 404 &&
      /^Cannot read reg\.test\/prod\/app:1\.0: the registry lists the tag but answers 404 to reading it/
        .test(e.message),
  );
});
