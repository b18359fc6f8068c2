import assert from "node:assert/strict";
import { join } from "node:path";
import { RegistryError } from "../../../src/registry/errors.ts";
import { OciDirBackend } from "../../../src/registry/ocidir/backend.ts";
import { tempDir } from "../../fixtures/temp_dirs.ts";
import { bytesStream, pushImage, readAll, tinyImage } from "../../fixtures/tiny_images.ts";

/** A root holding one good layout `good` (tag 1.0) and the backend on it. */
async function withGood() {
  const root = join(await tempDir("ocidir-bad-"), "reg");
  const b = new OciDirBackend(root);
  const img = tinyImage("good");
  await pushImage(b, "good", img, ["1.0"]);
  return { root, img, b: new OciDirBackend(root) };
}

/** Asserts a RegistryError whose message names `path` and matches `why`. */
function registryError(path: string, why: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof RegistryError, `not a RegistryError: ${e}`);
    assert.ok(e.message.includes(path), `"${e.message}" does not name ${path}`);
    assert.match(e.message, why);
    return true;
  };
}

Deno.test("OciDirBackend refuses a directory with layout files but no oci-layout", async () => {
  const { root, b } = await withGood();
  const dir = join(root, "broken");
  await Deno.mkdir(dir);
  await Deno.writeTextFile(join(dir, "index.json"), '{"schemaVersion":2,"manifests":[]}');
  await assert.rejects(() => b.listTags("broken"), registryError(dir, /no oci-layout file/));
  await assert.rejects(() => b.listRepositories(""), registryError(dir, /no oci-layout file/));
  const img = tinyImage("w");
  await assert.rejects(
    () => pushImage(b, "broken", img, ["1"]),
    registryError(dir, /no oci-layout/),
  );
  assert.equal(await Deno.stat(join(dir, "oci-layout")).catch(() => null), null, "not taken over");
});

Deno.test("OciDirBackend refuses an unsupported or unreadable imageLayoutVersion", async () => {
  const { root, b } = await withGood();
  const file = join(root, "good", "oci-layout");
  const cases: [string, RegExp][] = [
    ['{"imageLayoutVersion":"2.0.0"}', /only version 1\.x layouts are supported/],
    ["{}", /has no imageLayoutVersion/],
    ["not json", /is not valid JSON/],
  ];
  for (const [text, why] of cases) {
    await Deno.writeTextFile(file, text);
    await assert.rejects(() => b.listTags("good"), registryError(file, why));
    await assert.rejects(() => b.headManifest("good", "1.0"), registryError(file, why));
  }
});

Deno.test("OciDirBackend refuses a corrupt index.json, naming it and the problem", async () => {
  const { root, b } = await withGood();
  const file = join(root, "good", "index.json");
  const entry = { mediaType: "application/vnd.oci.image.manifest.v1+json", size: 1 };
  const d1 = "sha256:" + "1".repeat(64);
  const d2 = "sha256:" + "2".repeat(64);
  const tagged = (digest: string) => ({
    ...entry,
    digest,
    annotations: { "org.opencontainers.image.ref.name": "t" },
  });
  const cases: [string, RegExp][] = [
    ["{", /not valid JSON/],
    ["[]", /not a JSON object/],
    ['{"schemaVersion":1,"manifests":[]}', /schemaVersion is not 2/],
    ['{"schemaVersion":2}', /no manifests list/],
    [JSON.stringify({ schemaVersion: 2, manifests: [7] }), /manifests\[0\] is not an object/],
    [JSON.stringify({ schemaVersion: 2, manifests: [{ ...entry, digest: "md5:x" }] }), /digest/],
    [JSON.stringify({ schemaVersion: 2, manifests: [{ digest: d1, size: 1 }] }), /no mediaType/],
    [JSON.stringify({ schemaVersion: 2, manifests: [{ ...entry, digest: d1, size: -1 }] }), /size/],
    [
      JSON.stringify({ schemaVersion: 2, manifests: [tagged(d1), tagged(d2)] }),
      /tag "t" names both/,
    ],
  ];
  for (const [text, why] of cases) {
    await Deno.writeTextFile(file, text);
    await assert.rejects(() => b.listTags("good"), registryError(file, /is corrupt/));
    await assert.rejects(() => b.listTags("good"), registryError(file, why));
  }
});

Deno.test("OciDirBackend detects a blob whose content does not match its name when reading", async () => {
  const { root, b, img } = await withGood();
  const blobs = join(root, "good", "blobs", "sha256");
  const layerPath = join(blobs, img.layer.digest.slice(7));
  const flipped = img.layer.bytes.slice();
  flipped[600] = flipped[600]! ^ 1;
  await Deno.writeFile(layerPath, flipped);
  const { body } = await b.getBlob("good", img.layer.digest);
  await assert.rejects(() => readAll(body), registryError(layerPath, /is corrupt/));
  const manifestPath = join(blobs, img.manifest.digest.slice(7));
  const bytes = img.manifest.bytes.slice();
  bytes[bytes.length - 2] = 0x20;
  await Deno.writeFile(manifestPath, bytes);
  await assert.rejects(
    () => b.getManifest("good", "1.0"),
    registryError(manifestPath, /is corrupt/),
  );
});

Deno.test("OciDirBackend refuses an index entry whose blob is missing or of another size", async () => {
  const { root, b, img } = await withGood();
  const manifestPath = join(root, "good", "blobs", "sha256", img.manifest.digest.slice(7));
  await Deno.writeTextFile(manifestPath, "{}");
  await assert.rejects(() => b.headManifest("good", "1.0"), registryError(manifestPath, /holds 2/));
  await Deno.remove(manifestPath);
  await assert.rejects(() => b.getManifest("good", "1.0"), registryError(manifestPath, /missing/));
});

Deno.test("OciDirBackend refuses symlinks leading out of the root", async () => {
  const { root, b, img } = await withGood();
  const outside = await tempDir("ocidir-outside-");
  const other = new OciDirBackend(outside);
  await pushImage(other, "evil", img, ["1.0"]);
  await Deno.symlink(join(outside, "evil"), join(root, "link"));
  await assert.rejects(() => b.listTags("link"), registryError(join(root, "link"), /outside/));
  await assert.rejects(() => b.listRepositories(""), registryError(join(root, "link"), /outside/));
  await assert.rejects(() => pushImage(b, "link", img, ["2"]), /outside/);
  await assert.rejects(() => pushImage(b, "link/sub", img, ["2"]), /outside/);
  assert.equal(await Deno.stat(join(outside, "evil", "sub")).catch(() => null), null);
  const blob = join(root, "good", "blobs", "sha256", img.layer.digest.slice(7));
  await Deno.remove(blob);
  await Deno.symlink(join(outside, "evil", "blobs", "sha256", img.layer.digest.slice(7)), blob);
  await assert.rejects(() => b.getBlob("good", img.layer.digest), registryError(blob, /outside/));
});

/** Every file below `dir`, relative to it. */
async function filesBelow(dir: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (d: string, rel: string) => {
    for await (const e of Deno.readDir(d)) {
      if (e.isDirectory) await visit(join(d, e.name), `${rel}${e.name}/`);
      else out.push(`${rel}${e.name}`);
    }
  };
  await visit(dir, "");
  return out.sort();
}

Deno.test("a layout whose blobs directory leads out of the root is never written or read, even once known", async () => {
  for (const link of ["blobs", "blobs/sha256"]) {
    const { root, b, img } = await withGood();
    const outside = await tempDir("ocidir-outside-");
    await Deno.mkdir(join(outside, "sha256"), { recursive: true });
    const target = link === "blobs" ? outside : join(outside, "sha256");
    await Deno.remove(join(root, "good", link), { recursive: true });
    if (link === "blobs/sha256") await Deno.mkdir(join(root, "good", "blobs"), { recursive: true });
    await Deno.symlink(target, join(root, "good", link));
    // A blob planted outside, under the name of a digest cip will ask for.
    await Deno.writeFile(join(outside, "sha256", img.layer.digest.slice(7)), img.layer.bytes);
    const before = await filesBelow(outside);
    // The layout is read first (the index is inside the root), so the backend knows it.
    assert.deepEqual((await b.listTags("good")).tags, ["1.0"]);
    const fresh = tinyImage("fresh");
    const outsideError = /outside/;
    await assert.rejects(
      () => b.putBlob("good", fresh.layer, bytesStream(fresh.layer.bytes)),
      outsideError,
    );
    await assert.rejects(() => b.putManifest("good", "2.0", img.manifest), outsideError);
    await assert.rejects(() => b.hasBlob("good", img.layer.digest), outsideError);
    await assert.rejects(() => b.getBlob("good", img.layer.digest), outsideError);
    await Deno.mkdir(join(root, "other"));
    await pushImage(b, "other", fresh, ["1"]);
    await assert.rejects(() => b.mountBlob("good", fresh.layer.digest, "other"), outsideError);
    assert.deepEqual(await filesBelow(outside), before, link);
  }
});

Deno.test("OciDirBackend refuses, unread, an index.json or a manifest too large to be one", async () => {
  const { root, b, img } = await withGood();
  const blob = join(root, "good", "blobs", "sha256", img.manifest.digest.slice(7));
  const size = 17 * 1024 * 1024;
  await Deno.truncate(blob, size); // sparse: nothing is really written
  const indexPath = join(root, "good", "index.json");
  const index = JSON.parse(await Deno.readTextFile(indexPath));
  index.manifests[0].size = size;
  await Deno.writeTextFile(indexPath, JSON.stringify(index));
  await assert.rejects(
    () => b.getManifest("good", "1.0"),
    registryError(blob, /it is larger than 16777216 bytes/),
  );
  await Deno.truncate(indexPath, 65 * 1024 * 1024);
  await assert.rejects(
    () => b.listTags("good"),
    registryError(indexPath, /it is larger than 67108864 bytes/),
  );
});

Deno.test("OciDirBackend follows symlinks that stay inside the root", async () => {
  const { root, b } = await withGood();
  await Deno.mkdir(join(root, "alias"));
  await Deno.symlink(join(root, "good"), join(root, "alias", "good"));
  assert.deepEqual((await b.listTags("alias/good")).tags, ["1.0"]);
  assert.deepEqual(await b.listRepositories(""), ["alias/good", "good"]);
  await Deno.symlink(root, join(root, "alias", "loop"));
  assert.deepEqual(await b.listRepositories(""), ["alias/good", "good"], "a loop is not followed");
});

Deno.test("OciDirBackend refuses repository names a directory cannot hold safely", async () => {
  const { b } = await withGood();
  for (
    const repo of ["..", "../x", "a/../b", "/abs", "a//b", "A", "a/", "", "a/blobs", "a/index.json"]
  ) {
    await assert.rejects(
      () => b.listTags(repo),
      (e) =>
        e instanceof RegistryError && e.codes.includes("NAME_INVALID") &&
        e.message.includes(JSON.stringify(repo)),
      repo,
    );
  }
  await assert.rejects(() => b.listRepositories("../up"), RegistryError);
});

Deno.test("OciDirBackend names the path that cannot be written", async () => {
  const base = await tempDir("ocidir-unwritable-");
  await Deno.writeTextFile(join(base, "file"), "a file, not a directory");
  const b = new OciDirBackend(join(base, "file", "reg"));
  const img = tinyImage("u");
  await assert.rejects(
    () => b.putBlob("x", img.layer, bytesStream(img.layer.bytes)),
    registryError(join(base, "file"), /Not a directory/),
  );
  const root = join(base, "reg");
  const ok = new OciDirBackend(root);
  await Deno.mkdir(root);
  await Deno.writeTextFile(join(root, "plain"), "x");
  await assert.rejects(
    () => ok.putBlob("plain/sub", img.layer, bytesStream(img.layer.bytes)),
    registryError(join(root, "plain"), /Cannot create the directory/),
  );
});

Deno.test("OciDirBackend refuses a root that is itself a layout, and lists no missing root", async () => {
  const { root } = await withGood();
  const b = new OciDirBackend(join(root, "good"));
  await assert.rejects(
    () => b.listTags("x"),
    registryError(join(root, "good"), /itself an OCI image layout/),
  );
  const missing = new OciDirBackend(join(root, "nothing-here"));
  await assert.rejects(
    () => missing.listRepositories(""),
    registryError(join(root, "nothing-here"), /does not exist/),
  );
});
