import assert from "node:assert/strict";
import { RegistryError } from "../../src/registry/errors.ts";
import {
  DOCKER_SCHEMA1,
  MANIFEST_ACCEPT,
  manifestBlobs,
  manifestChildren,
  OCI_INDEX,
  OCI_MANIFEST,
  sniffMediaType,
} from "../../src/registry/media_types.ts";
import { makeImage, makeIndex } from "../fixtures/images.ts";

const enc = new TextEncoder();

Deno.test("MANIFEST_ACCEPT lists all six manifest media types", () => {
  const types = MANIFEST_ACCEPT.split(", ");
  assert.equal(types.length, 6);
  for (
    const t of [
      "application/vnd.oci.image.index.v1+json",
      "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.docker.distribution.manifest.list.v2+json",
      "application/vnd.docker.distribution.manifest.v2+json",
      "application/vnd.docker.distribution.manifest.v1+prettyjws",
      "application/vnd.docker.distribution.manifest.v1+json",
    ]
  ) assert.ok(types.includes(t), t);
});

Deno.test("manifestBlobs() returns config then layers, each once", () => {
  const same = new Uint8Array([1, 2, 3]);
  const image = makeImage({ layers: [same, new Uint8Array([4]), same], mediaType: "docker" });
  const blobs = manifestBlobs(image.manifest);
  assert.deepEqual(blobs.map((b) => b.digest), [
    image.config.digest,
    image.layers[0]!.digest,
    image.layers[1]!.digest,
  ]);
  assert.equal(blobs[0]!.size, image.config.bytes.length);
});

Deno.test("manifestChildren() lists an index's manifests and nothing for an image", () => {
  const a = makeImage({ layers: 1, mediaType: "oci", seed: 1 });
  const b = makeImage({ layers: 1, mediaType: "oci", seed: 2 });
  const index = makeIndex([a, b], "oci", "unusual");
  assert.deepEqual(manifestChildren(index.manifest).map((d) => d.digest), [
    a.manifest.digest,
    b.manifest.digest,
  ]);
  assert.deepEqual(manifestChildren(a.manifest), []);
  assert.deepEqual(manifestBlobs(index.manifest), []);
});

Deno.test("manifestBlobs() reads schema 1 layers with unknown sizes", () => {
  const bytes = enc.encode(JSON.stringify({
    schemaVersion: 1,
    fsLayers: [{ blobSum: "sha256:" + "a".repeat(64) }, { blobSum: "sha256:" + "a".repeat(64) }],
  }));
  const blobs = manifestBlobs({ mediaType: DOCKER_SCHEMA1, digest: "x", bytes });
  assert.deepEqual(blobs, [{
    mediaType: "application/octet-stream",
    digest: "sha256:" + "a".repeat(64),
    size: -1,
  }]);
});

Deno.test("sniffMediaType() tells manifests apart by their fields", () => {
  assert.equal(sniffMediaType(enc.encode('{"manifests":[]}')), OCI_INDEX);
  assert.equal(sniffMediaType(enc.encode('{"layers":[]}')), OCI_MANIFEST);
  assert.equal(sniffMediaType(enc.encode('{"fsLayers":[]}')), DOCKER_SCHEMA1);
  assert.equal(sniffMediaType(enc.encode('{"mediaType":"x/y"}')), "x/y");
  assert.throws(() => sniffMediaType(enc.encode("[]")), RegistryError);
  assert.throws(() => sniffMediaType(enc.encode("{")), /not valid JSON/);
});

Deno.test("manifestChildren() refuses a descriptor without a size", () => {
  const bytes = enc.encode(JSON.stringify({ manifests: [{ digest: "sha256:" + "b".repeat(64) }] }));
  assert.throws(
    () => manifestChildren({ mediaType: OCI_INDEX, digest: "x", bytes }),
    RegistryError,
  );
});
