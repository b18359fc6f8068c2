import assert from "node:assert/strict";
import {
  DOCKER_SCHEMA1,
  imageBytes,
  isForeignLayer,
  MANIFEST_ACCEPT,
  ManifestFormatError,
  OCI_INDEX,
  OCI_MANIFEST,
  readManifest,
  sniffMediaType,
} from "../../src/oci/mod.ts";
import { makeImage, makeIndex } from "../fixtures/images.ts";

const enc = new TextEncoder();
const A = "sha256:" + "a".repeat(64);
const B = "sha256:" + "b".repeat(64);
const C = "sha256:" + "c".repeat(64);
const json = (v: unknown) => enc.encode(JSON.stringify(v));

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

Deno.test("readManifest() gives an image's blobs: config then layers, each once", () => {
  const same = new Uint8Array([1, 2, 3]);
  const image = makeImage({ layers: [same, new Uint8Array([4]), same], mediaType: "docker" });
  const m = readManifest(image.manifest.bytes, image.manifest.mediaType);
  assert.equal(m.kind, "image");
  assert.deepEqual(m.blobs.map((b) => b.digest), [
    image.config.digest,
    image.layers[0]!.digest,
    image.layers[1]!.digest,
  ]);
  assert.equal(m.layers.length, 3);
  assert.equal(m.blobs[0]!.size, image.config.bytes.length);
  assert.equal(imageBytes(m), image.config.bytes.length + 3 + 1 + 3);
});

Deno.test("readManifest() lists an index's entries with their platforms, and no blobs", () => {
  const a = makeImage({ layers: 1, mediaType: "oci", seed: 1 });
  const b = makeImage({
    layers: 1,
    mediaType: "oci",
    seed: 2,
    platform: { architecture: "arm64", os: "linux", variant: "v8" },
  });
  const index = makeIndex([a, b], "oci", "unusual");
  const m = readManifest(index.manifest.bytes, index.manifest.mediaType);
  assert.equal(m.kind, "index");
  assert.deepEqual(m.children.map((d) => d.digest), [a.manifest.digest, b.manifest.digest]);
  assert.deepEqual(m.children[1]!.platform, { architecture: "arm64", os: "linux", variant: "v8" });
  assert.deepEqual(m.blobs, []);
  assert.equal(imageBytes(m), undefined);
});

Deno.test("readManifest() leaves foreign and non-distributable layers out of the blobs to copy", () => {
  const types = [
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  ];
  for (const t of types) assert.ok(isForeignLayer(t), t);
  assert.ok(!isForeignLayer("application/vnd.oci.image.layer.v1.tar+gzip"));
  const m = readManifest(json({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: "c", digest: A, size: 2 },
    layers: [
      { mediaType: types[1], digest: B, size: 9, urls: ["https://example.test/b"] },
      { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: C, size: 3 },
    ],
  }));
  assert.deepEqual(m.blobs.map((d) => d.digest), [A, C]);
  assert.deepEqual(m.foreign.map((d) => d.digest), [B]);
});

Deno.test("readManifest() reads subject, artifactType and annotations (OCI 1.1)", () => {
  const m = readManifest(json({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: "application/vnd.example+json",
    config: { mediaType: "application/vnd.oci.empty.v1+json", digest: A, size: 2 },
    layers: [],
    subject: { mediaType: OCI_MANIFEST, digest: B, size: 300 },
    annotations: { "org.opencontainers.image.created": "2026-01-01T00:00:00Z", n: 1 },
  }));
  assert.equal(m.artifactType, "application/vnd.example+json");
  assert.deepEqual(m.subject, { mediaType: OCI_MANIFEST, digest: B, size: 300 });
  assert.deepEqual(m.annotations, { "org.opencontainers.image.created": "2026-01-01T00:00:00Z" });
});

Deno.test("readManifest() reads schema 1 layers with unknown sizes", () => {
  const m = readManifest(json({ schemaVersion: 1, fsLayers: [{ blobSum: A }, { blobSum: A }] }));
  assert.equal(m.kind, "schema1");
  assert.equal(m.mediaType, DOCKER_SCHEMA1);
  assert.deepEqual(m.blobs, [{ mediaType: "application/octet-stream", digest: A, size: -1 }]);
});

Deno.test("sniffMediaType() tells manifests apart by their fields", () => {
  assert.equal(sniffMediaType(enc.encode('{"manifests":[]}')), OCI_INDEX);
  assert.equal(sniffMediaType(enc.encode('{"layers":[]}')), OCI_MANIFEST);
  assert.equal(sniffMediaType(enc.encode('{"fsLayers":[]}')), DOCKER_SCHEMA1);
  assert.equal(sniffMediaType(enc.encode('{"mediaType":"x/y"}')), "x/y");
  assert.throws(() => sniffMediaType(enc.encode("[]")), ManifestFormatError);
  assert.throws(() => sniffMediaType(enc.encode("{")), /not valid JSON/);
});

Deno.test("readManifest() refuses descriptors without a digest or a whole size", () => {
  const cases = [
    { manifests: [{ digest: B }] },
    { manifests: [{ digest: B, size: 1.5 }] },
    { manifests: [{ size: 3 }] },
    { manifests: [{ digest: "not a digest", size: 3 }] },
    { mediaType: OCI_MANIFEST, config: { digest: A, size: -1 }, layers: [] },
    { mediaType: OCI_MANIFEST, config: { digest: A, size: 2 }, layers: [{ digest: 7, size: 1 }] },
    { mediaType: OCI_INDEX },
  ];
  for (const c of cases) {
    assert.throws(() => readManifest(json(c)), ManifestFormatError, JSON.stringify(c));
  }
});
