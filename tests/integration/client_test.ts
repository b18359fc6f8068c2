/** The HTTP client against a real CNCF Distribution registry, checked by raw fetch and skopeo. */
import assert from "node:assert/strict";
import type { Backend } from "../../src/registry/api.ts";
import { HttpBackend } from "../../src/registry/http/backend.ts";
import { RegistryError } from "../../src/registry/errors.ts";
import { plainHttpFetch } from "../../src/registry/http/http_fetch.ts";
import { readRepositories, walkRegistry } from "../../src/registry/inventory.ts";
import { readManifest } from "../../src/oci/mod.ts";
import {
  asBody,
  digestOf,
  type ImageFixture,
  makeImage,
  makeIndex,
  pushImage,
  pushIndex,
  randomBytes,
} from "../fixtures/images.ts";
import { startRegistry } from "./registry_process.ts";
import { skopeoRaw } from "./skopeo.ts";

function backendFor(host: string): HttpBackend {
  return new HttpBackend({ host, fetch: plainHttpFetch() });
}

/** The manifest bytes a registry serves, by raw fetch. */
async function rawManifest(url: string, repo: string, ref: string, type: string) {
  const res = await fetch(`${url}/v2/${repo}/manifests/${ref}`, { headers: { Accept: type } });
  assert.equal(res.status, 200);
  return new Uint8Array(await res.arrayBuffer());
}

/** Copies one manifest (children first for an index) with the client's operations only. */
async function copy(src: Backend, srcRepo: string, dst: Backend, dstRepo: string, ref: string) {
  const m = await src.getManifest(srcRepo, ref);
  assert.ok(m, `${srcRepo}:${ref} exists`);
  const model = readManifest(m.bytes, m.mediaType);
  for (const child of model.children) await copy(src, srcRepo, dst, dstRepo, child.digest);
  for (const blob of model.blobs) {
    if (await dst.hasBlob(dstRepo, blob.digest)) continue;
    if (src.id === dst.id && await dst.mountBlob(dstRepo, blob.digest, srcRepo)) continue;
    const stream = await src.getBlob(srcRepo, blob.digest);
    await dst.putBlob(dstRepo, blob, stream.body);
  }
  await dst.putManifest(dstRepo, ref, m);
}

const unusual = makeImage({ layers: 2, mediaType: "docker", whitespace: "unusual", seed: 21 });
const big = makeImage({ layers: 2, mediaType: "oci", layerSize: 3 * 1024 * 1024, seed: 22 });
const index = makeIndex(
  [
    makeImage({ layers: 1, mediaType: "oci", seed: 23 }),
    makeImage({
      layers: 1,
      mediaType: "oci",
      seed: 24,
      platform: { architecture: "arm64", os: "linux", variant: "v8" },
    }),
  ],
  "oci",
  "unusual",
);

Deno.test("client lists and reads a real registry", async () => {
  const reg = await startRegistry();
  try {
    await pushImage(reg.url, "team/app", unusual, ["1.0", "latest"]);
    await pushIndex(reg.url, "team/app", index, ["multi"]);
    await pushImage(reg.url, "other", unusual, ["x"]);
    const backend = backendFor(reg.host);
    assert.deepEqual(await backend.listRepositories(""), ["other", "team/app"]);
    assert.deepEqual(await backend.listRepositories("team"), ["team/app"]);
    assert.deepEqual((await backend.listTags("team/app")).tags, ["1.0", "latest", "multi"]);
    assert.deepEqual(await backend.listTags("nothing"), { tags: [], notFound: true });
    assert.deepEqual(await backend.headManifest("team/app", "1.0"), {
      mediaType: unusual.manifest.mediaType,
      digest: unusual.manifest.digest,
      size: unusual.manifest.bytes.length,
    });
    assert.deepEqual(await backend.getManifest("team/app", "multi"), index.manifest);
    assert.equal(await backend.getManifest("team/app", "nope"), null);
    const inv = await readRepositories(backend, ["team/app", "missing"]);
    const app = inv.get("team/app")!;
    assert.deepEqual(app.get(unusual.manifest.digest)?.tags, ["1.0", "latest"]);
    assert.deepEqual(
      app.get(index.manifest.digest)?.children,
      index.children.map((c) => c.manifest.digest),
    );
    assert.equal(app.size, 4);
    assert.equal(inv.get("missing")?.size, 0);
    const walked = await walkRegistry(backend, "");
    assert.deepEqual([...walked.keys()], ["other", "team/app"]);
  } finally {
    await reg.stop();
  }
});

Deno.test("client copies images byte for byte between real registries", async () => {
  const a = await startRegistry();
  const b = await startRegistry();
  try {
    await pushImage(a.url, "src/app", unusual, ["1.0"]);
    await pushImage(a.url, "src/big", big, ["v"]);
    await pushIndex(a.url, "src/app", index, ["multi"]);
    const src = backendFor(a.host);
    const dst = backendFor(b.host);
    await copy(src, "src/app", dst, "prod/app", "1.0");
    await copy(src, "src/big", dst, "prod/big", "v");
    await copy(src, "src/app", dst, "prod/app", "multi");
    const cases: [string, string, ImageFixture["manifest"]][] = [
      ["prod/app", "1.0", unusual.manifest],
      ["prod/big", "v", big.manifest],
      ["prod/app", "multi", index.manifest],
    ];
    for (const [repo, tag, want] of cases) {
      const served = await rawManifest(b.url, repo, tag, want.mediaType);
      assert.equal(digestOf(served), want.digest, `${repo}:${tag} by fetch`);
      const viaSkopeo = await skopeoRaw(`${b.host}/${repo}:${tag}`);
      assert.equal(digestOf(viaSkopeo), want.digest, `${repo}:${tag} by skopeo`);
    }
    for (const layer of big.layers) {
      const res = await fetch(`${b.url}/v2/prod/big/blobs/${layer.digest}`);
      assert.equal(digestOf(new Uint8Array(await res.arrayBuffer())), layer.digest);
    }
  } finally {
    await a.stop();
    await b.stop();
  }
});

Deno.test("client mounts blobs between repositories of one real registry", async () => {
  const reg = await startRegistry();
  try {
    await pushImage(reg.url, "src", unusual, ["1"]);
    const backend = backendFor(reg.host);
    const layer = unusual.layers[0]!;
    assert.equal(await backend.hasBlob("dst", layer.digest), false);
    assert.equal(await backend.mountBlob("dst", layer.digest, "src"), true);
    assert.equal(await backend.hasBlob("dst", layer.digest), true);
    const missing = digestOf(randomBytes(77, 10));
    assert.equal(await backend.mountBlob("dst", missing, "src"), false);
  } finally {
    await reg.stop();
  }
});

Deno.test("a streamed upload with wrong content leaves nothing in a real registry", async () => {
  const reg = await startRegistry();
  try {
    const backend = backendFor(reg.host);
    const good = randomBytes(31, 2 * 1024 * 1024);
    const bad = good.slice();
    bad[bad.length - 1]! ^= 1;
    const blob = {
      mediaType: "application/octet-stream",
      digest: digestOf(good),
      size: good.length,
    };
    const err = await backend.putBlob("x", blob, new Response(asBody(bad)).body!).catch((e) => e);
    assert.ok(err instanceof RegistryError);
    assert.match(err.message, /does not match/);
    assert.equal(await backend.hasBlob("x", blob.digest), false);
    const head = await fetch(`${reg.url}/v2/x/blobs/${digestOf(bad)}`, { method: "HEAD" });
    assert.equal(head.status, 404);
    await backend.putBlob("x", blob, new Response(asBody(good)).body!);
    assert.equal(await backend.hasBlob("x", blob.digest), true);
  } finally {
    await reg.stop();
  }
});
