import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { RegistryError } from "../../../src/registry/errors.ts";
import { OciDirBackend } from "../../../src/registry/ocidir/backend.ts";
import {
  bytesStream,
  pushImage,
  putUnder,
  readAll,
  tinyImage,
  tinyIndex,
} from "../../fixtures/tiny_images.ts";
import { tempDir } from "../../fixtures/temp_dirs.ts";

/** A fresh temporary root (not created: backends create it on first write). */
async function tempRoot(): Promise<string> {
  return join(await tempDir("ocidir-"), "reg");
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(path));
}

Deno.test("OciDirBackend writes a layout: oci-layout, index.json with ref.name, blobs by digest", async () => {
  const root = await tempRoot();
  const b = new OciDirBackend(root);
  const img = tinyImage("hello");
  await pushImage(b, "foo/bar", img, ["1.0"]);
  const dir = join(root, "foo", "bar");
  assert.deepEqual(await readJson(join(dir, "oci-layout")), { imageLayoutVersion: "1.0.0" });
  const index = await readJson(join(dir, "index.json"));
  assert.equal(index.schemaVersion, 2);
  assert.deepEqual(index.manifests, [{
    mediaType: img.manifest.mediaType,
    digest: img.manifest.digest,
    size: img.manifest.bytes.length,
    annotations: { "org.opencontainers.image.ref.name": "1.0" },
  }]);
  for (const blob of [img.layer, img.config]) {
    const path = join(dir, "blobs", "sha256", blob.digest.slice(7));
    assert.deepEqual(await Deno.readFile(path), blob.bytes);
  }
  const manifestPath = join(dir, "blobs", "sha256", img.manifest.digest.slice(7));
  assert.deepEqual(await Deno.readFile(manifestPath), img.manifest.bytes);
  const leftovers = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.startsWith("."));
  assert.deepEqual(leftovers, []);
});

Deno.test("OciDirBackend reads back tags, digests and exact manifest bytes", async () => {
  const b = new OciDirBackend(await tempRoot());
  const a = tinyImage("a");
  const c = tinyImage("c");
  await pushImage(b, "app", a, ["1.0", "latest"]);
  await pushImage(b, "app", c, []);
  const listing = await b.listTags("app");
  assert.deepEqual(listing.tags, ["1.0", "latest"]);
  assert.deepEqual(
    listing.manifests,
    new Map([
      [a.manifest.digest, {
        mediaType: a.manifest.mediaType,
        size: a.manifest.bytes.length,
        tags: ["1.0", "latest"],
      }],
      [c.manifest.digest, {
        mediaType: c.manifest.mediaType,
        size: c.manifest.bytes.length,
        tags: [],
      }],
    ]),
  );
  for (const ref of ["1.0", "latest", a.manifest.digest]) {
    assert.deepEqual(await b.getManifest("app", ref), a.manifest);
    assert.deepEqual(await b.headManifest("app", ref), {
      mediaType: a.manifest.mediaType,
      digest: a.manifest.digest,
      size: a.manifest.bytes.length,
    });
  }
  assert.deepEqual(await b.getManifest("app", c.manifest.digest), c.manifest);
  assert.equal(await b.headManifest("app", "2.0"), null);
  const blob = await b.getBlob("app", a.layer.digest);
  assert.equal(blob.size, a.layer.size);
  assert.deepEqual(await readAll(blob.body), a.layer.bytes);
});

Deno.test("OciDirBackend gives one digest with several tags one index entry per tag", async () => {
  const root = await tempRoot();
  const b = new OciDirBackend(root);
  const img = tinyImage("x");
  await pushImage(b, "x", img, ["1", "2", "3"]);
  await b.putManifest("x", img.manifest.digest, img.manifest);
  const index = await readJson(join(root, "x", "index.json"));
  const names = (index.manifests as { annotations: Record<string, string> }[]).map((m) =>
    m.annotations["org.opencontainers.image.ref.name"]
  );
  assert.deepEqual(names, ["1", "2", "3"]);
});

Deno.test("OciDirBackend replaces an untagged entry when the digest gets a tag, and keeps a repeat put idempotent", async () => {
  const root = await tempRoot();
  const b = new OciDirBackend(root);
  const img = tinyImage("x");
  await pushImage(b, "x", img, []);
  await pushImage(b, "x", img, []);
  let index = await readJson(join(root, "x", "index.json"));
  assert.equal((index.manifests as unknown[]).length, 1);
  await b.putManifest("x", "v1", img.manifest);
  await b.putManifest("x", "v1", img.manifest);
  index = await readJson(join(root, "x", "index.json"));
  assert.equal((index.manifests as unknown[]).length, 1);
  assert.deepEqual((await b.listTags("x")).tags, ["v1"]);
});

Deno.test("OciDirBackend refuses to move a tag and leaves the index as it was", async () => {
  const root = await tempRoot();
  const b = new OciDirBackend(root);
  const one = tinyImage("one");
  const two = tinyImage("two");
  await pushImage(b, "x", one, ["stable"]);
  const before = await Deno.readTextFile(join(root, "x", "index.json"));
  await assert.rejects(
    () => pushImage(b, "x", two, ["stable"]),
    (e) =>
      e instanceof RegistryError && /tags are never moved/.test(e.message) &&
      e.codes.includes("DENIED"),
  );
  assert.equal(await Deno.readTextFile(join(root, "x", "index.json")), before);
  assert.equal((await b.headManifest("x", "stable"))?.digest, one.manifest.digest);
});

Deno.test("OciDirBackend treats a repository that does not exist as empty and creates it on write", async () => {
  const root = await tempRoot();
  const b = new OciDirBackend(root);
  assert.deepEqual(await b.listTags("nope"), { tags: [], manifests: new Map(), absent: true });
  assert.equal(await b.headManifest("nope", "1.0"), null);
  assert.equal(await b.getManifest("nope", "sha256:" + "0".repeat(64)), null);
  assert.equal(await b.hasBlob("nope", "sha256:" + "0".repeat(64)), false);
  await assert.rejects(() => b.getBlob("nope", "sha256:" + "0".repeat(64)), RegistryError);
  assert.equal(await Deno.stat(root).catch(() => null), null, "reading created nothing");
  await pushImage(b, "deep/er/name", tinyImage("n"), ["t"]);
  assert.deepEqual((await b.listTags("deep/er/name")).tags, ["t"]);
});

Deno.test("OciDirBackend lists nested layouts, not blobs or hidden directories, below a prefix", async () => {
  const root = await tempRoot();
  const b = new OciDirBackend(root);
  const img = tinyImage("n");
  for (const repo of ["a", "a/b", "a/b/c", "z/y", "zz"]) await pushImage(b, repo, img, ["1"]);
  await Deno.mkdir(join(root, ".hidden", "q"), { recursive: true });
  await Deno.writeTextFile(
    join(root, ".hidden", "q", "oci-layout"),
    '{"imageLayoutVersion":"1.0.0"}',
  );
  await Deno.mkdir(join(root, "empty", "dir"), { recursive: true });
  assert.deepEqual(await b.listRepositories(""), ["a", "a/b", "a/b/c", "z/y", "zz"]);
  assert.deepEqual(await b.listRepositories("a/b"), ["a/b", "a/b/c"]);
  assert.deepEqual(await b.listRepositories("z"), ["z/y"]);
  assert.deepEqual(await b.listRepositories("nothing"), []);
});

Deno.test("OciDirBackend id is ocidir: plus the absolute root; display names the registry", () => {
  const b = new OciDirBackend("some/rel");
  assert.equal(b.id, `ocidir:${resolve("some/rel")}`);
  assert.equal(b.display, "ocidir://some/rel");
  assert.equal(new OciDirBackend("x", { display: "ocidir://y" }).display, "ocidir://y");
});

Deno.test("OciDirBackend mounts a blob between repositories by a hard link", async () => {
  const root = await tempRoot();
  const b = new OciDirBackend(root);
  const img = tinyImage("m");
  await pushImage(b, "src", img, ["1"]);
  assert.equal(await b.mountBlob("dst", img.layer.digest, "src"), true);
  const hex = img.layer.digest.slice(7);
  const from = await Deno.stat(join(root, "src", "blobs", "sha256", hex));
  const to = await Deno.stat(join(root, "dst", "blobs", "sha256", hex));
  assert.equal(to.ino, from.ino);
  assert.equal(await b.hasBlob("dst", img.layer.digest), true);
  assert.equal(await b.mountBlob("dst", img.layer.digest, "src"), true, "a second mount is fine");
  assert.equal(await b.mountBlob("dst", "sha256:" + "1".repeat(64), "src"), false);
  assert.equal(await b.mountBlob("dst", img.layer.digest, "missing"), false);
});

Deno.test("OciDirBackend refuses a corrupt source blob when mounting", async () => {
  const root = await tempRoot();
  const b = new OciDirBackend(root);
  const img = tinyImage("m");
  await pushImage(b, "src", img, ["1"]);
  await Deno.writeTextFile(join(root, "src", "blobs", "sha256", img.layer.digest.slice(7)), "junk");
  await assert.rejects(() => b.mountBlob("dst", img.layer.digest, "src"), /is corrupt/);
  assert.equal(await b.hasBlob("dst", img.layer.digest), false);
});

Deno.test("OciDirBackend putBlob stores nothing when digest or size do not match", async () => {
  const root = await tempRoot();
  const b = new OciDirBackend(root);
  const img = tinyImage("p");
  const wrongDigest = { ...img.layer, digest: "sha256:" + "a".repeat(64) };
  await assert.rejects(
    () => b.putBlob("p", wrongDigest, bytesStream(img.layer.bytes)),
    (e) => e instanceof RegistryError && e.codes.includes("DIGEST_INVALID"),
  );
  for (const size of [img.layer.size - 1, img.layer.size + 1]) {
    await assert.rejects(
      () => b.putBlob("p", { ...img.layer, size }, bytesStream(img.layer.bytes)),
      (e) => e instanceof RegistryError && e.codes.includes("SIZE_INVALID"),
    );
  }
  const blobs = [...Deno.readDirSync(join(root, "p", "blobs", "sha256"))];
  assert.deepEqual(blobs, []);
  const hidden = [...Deno.readDirSync(join(root, "p"))].filter((e) => e.name.startsWith("."));
  assert.deepEqual(hidden, [], "no temporary file is left");
});

Deno.test("OciDirBackend putBlob removes the temporary file when the source stream fails", async () => {
  const root = await tempRoot();
  const b = new OciDirBackend(root);
  const img = tinyImage("p");
  const reset = new Error("connection reset");
  const failing = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(img.layer.bytes.subarray(0, 100));
      c.error(reset);
    },
  });
  await assert.rejects(() => b.putBlob("p", img.layer, failing), (e) => e === reset);
  assert.deepEqual([...Deno.readDirSync(join(root, "p", "blobs", "sha256"))], []);
  assert.deepEqual(
    [...Deno.readDirSync(join(root, "p"))].filter((e) => e.name.startsWith(".")),
    [],
  );
});

Deno.test("OciDirBackend putManifest refuses a manifest whose blobs or children are missing", async () => {
  const root = await tempRoot();
  const b = new OciDirBackend(root);
  const img = tinyImage("q");
  await b.putBlob("q", img.config, bytesStream(img.config.bytes));
  await assert.rejects(
    () => b.putManifest("q", "1", img.manifest),
    (e) => e instanceof RegistryError && e.codes.includes("MANIFEST_BLOB_UNKNOWN"),
  );
  const index = tinyIndex([img]);
  await assert.rejects(
    () => b.putManifest("q", "2", index),
    (e) => e instanceof RegistryError && e.codes.includes("MANIFEST_BLOB_UNKNOWN"),
  );
  assert.deepEqual((await b.listTags("q")).tags, []);
});

Deno.test("OciDirBackend putManifest refuses bytes that do not match the digest or media type", async () => {
  const b = new OciDirBackend(await tempRoot());
  const img = tinyImage("r");
  await pushImage(b, "r", img, []);
  await assert.rejects(
    () => b.putManifest("r", "1", { ...img.manifest, digest: "sha256:" + "b".repeat(64) }),
    (e) => e instanceof RegistryError && e.codes.includes("DIGEST_INVALID"),
  );
  await assert.rejects(
    () => b.putManifest("r", "sha256:" + "c".repeat(64), img.manifest),
    (e) => e instanceof RegistryError && e.codes.includes("DIGEST_INVALID"),
  );
  await assert.rejects(
    () =>
      b.putManifest("r", "1", {
        ...img.manifest,
        mediaType: "application/vnd.oci.image.index.v1+json",
      }),
    (e) => e instanceof RegistryError && e.codes.includes("MANIFEST_INVALID"),
  );
  await assert.rejects(() => b.putManifest("r", "bad tag!", img.manifest), RegistryError);
});

Deno.test("OciDirBackend stores a multi-platform index after its children, children untagged", async () => {
  const b = new OciDirBackend(await tempRoot());
  const amd = tinyImage("m", "amd64");
  const arm = tinyImage("m", "arm64", "v8");
  await pushImage(b, "multi", amd, []);
  await pushImage(b, "multi", arm, []);
  const index = tinyIndex([amd, arm]);
  await putUnder(b, "multi", index, ["1.0"]);
  const listing = await b.listTags("multi");
  assert.deepEqual(listing.tags, ["1.0"]);
  assert.deepEqual(listing.manifests?.get(index.digest)?.tags, ["1.0"]);
  assert.deepEqual(listing.manifests?.get(amd.manifest.digest)?.tags, []);
  assert.deepEqual(await b.getManifest("multi", "1.0"), index);
});

Deno.test("OciDirBackend does not count a manifest blob without index entry as present, so a rerun records it", async () => {
  const b = new OciDirBackend(await tempRoot());
  const img = tinyImage("s");
  for (const blob of [img.layer, img.config]) await b.putBlob("s", blob, bytesStream(blob.bytes));
  const asBlob = { ...img.manifest, size: img.manifest.bytes.length };
  await b.putBlob("s", asBlob, bytesStream(img.manifest.bytes)); // as an interrupted put leaves it
  assert.equal(await b.headManifest("s", img.manifest.digest), null);
  assert.equal(await b.getManifest("s", img.manifest.digest), null);
  assert.deepEqual((await b.listTags("s")).manifests, new Map());
  await b.putManifest("s", img.manifest.digest, img.manifest);
  assert.deepEqual(await b.getManifest("s", img.manifest.digest), img.manifest);
  assert.equal(await b.headManifest("s", img.layer.digest), null, "a layer is not a manifest");
});

Deno.test("OciDirBackend lists and reads the children of an index entry that have no entry of their own", async () => {
  const root = await tempRoot();
  const b = new OciDirBackend(root);
  const amd = tinyImage("c", "amd64");
  const arm = tinyImage("c", "arm64", "v8");
  for (const img of [amd, arm]) {
    for (const blob of [img.layer, img.config]) await b.putBlob("c", blob, bytesStream(blob.bytes));
    const asBlob = { ...img.manifest, size: img.manifest.bytes.length };
    await b.putBlob("c", asBlob, bytesStream(img.manifest.bytes));
  }
  const index = tinyIndex([amd, arm]);
  await b.putManifest("c", "2.0", index);
  const listing = await b.listTags("c");
  assert.deepEqual(listing.tags, ["2.0"]);
  assert.deepEqual(
    [...listing.manifests!.keys()].sort(),
    [index.digest, amd.manifest.digest, arm.manifest.digest].sort(),
  );
  assert.deepEqual(listing.manifests!.get(arm.manifest.digest), {
    mediaType: arm.manifest.mediaType,
    size: arm.manifest.bytes.length,
    tags: [],
  });
  assert.deepEqual(await b.getManifest("c", amd.manifest.digest), amd.manifest);
  await Deno.remove(
    join(root, "c", "blobs", "sha256", arm.manifest.digest.slice(7)),
  );
  assert.equal(
    await b.headManifest("c", arm.manifest.digest),
    null,
    "an absent child is not listed",
  );
  assert.equal((await b.listTags("c")).manifests!.has(arm.manifest.digest), false);
});

Deno.test("OciDirBackend makes a layout of a directory that so far only held nested layouts", async () => {
  const root = await tempRoot();
  const b = new OciDirBackend(root);
  await pushImage(b, "a/b", tinyImage("inner"), ["1"]);
  assert.deepEqual(await b.listTags("a"), { tags: [], manifests: new Map(), absent: true });
  await pushImage(b, "a", tinyImage("outer"), ["2"]);
  assert.deepEqual(await b.listRepositories(""), ["a", "a/b"]);
  assert.deepEqual((await b.listTags("a")).tags, ["2"]);
  assert.deepEqual((await b.listTags("a/b")).tags, ["1"]);
});

Deno.test("OciDirBackend reads a layout interrupted before its index.json as empty, and completes it", async () => {
  const root = await tempRoot();
  await Deno.mkdir(join(root, "half", "blobs", "sha256"), { recursive: true });
  await Deno.writeTextFile(join(root, "half", "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
  const b = new OciDirBackend(root);
  assert.deepEqual(await b.listTags("half"), { tags: [], manifests: new Map() });
  await pushImage(b, "half", tinyImage("h"), ["1"]);
  assert.deepEqual((await b.listTags("half")).tags, ["1"]);
  assert.equal(
    JSON.parse(await Deno.readTextFile(join(root, "half", "index.json"))).schemaVersion,
    2,
  );
});
