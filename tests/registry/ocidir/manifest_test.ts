import assert from "node:assert/strict";
import { childDescriptors, manifestFacts } from "../../../src/registry/ocidir/manifest.ts";

const enc = (x: unknown) => new TextEncoder().encode(typeof x === "string" ? x : JSON.stringify(x));
const d = (c: string) => "sha256:" + c.repeat(64);

Deno.test("manifestFacts() lists an image manifest's config and layers, skipping foreign layers", () => {
  const facts = manifestFacts(enc({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: { digest: d("c"), size: 2 },
    layers: [
      { digest: d("1"), size: 3 },
      {
        mediaType: "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
        digest: d("2"),
        size: 4,
        urls: ["https://example.invalid/layer"],
      },
    ],
  }));
  assert.deepEqual(facts, {
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    blobs: [d("c"), d("1")],
    children: [],
  });
});

Deno.test("manifestFacts() lists an index's children and infers media types when absent", () => {
  assert.deepEqual(
    manifestFacts(enc({ schemaVersion: 2, manifests: [{ digest: d("a"), size: 5 }] })),
    {
      mediaType: "application/vnd.oci.image.index.v1+json",
      blobs: [],
      children: [d("a")],
    },
  );
  assert.deepEqual(
    manifestFacts(enc({ schemaVersion: 2, config: { digest: d("c"), size: 2 }, layers: [] })),
    {
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      blobs: [d("c")],
      children: [],
    },
  );
});

const notManifests: [string, unknown, RegExp][] = [
  ["bytes that are not JSON", "\u0000\u0001 tar bytes", /not valid JSON/],
  ["a JSON array", [], /not a JSON object/],
  ["a schema 1 manifest", { schemaVersion: 1, fsLayers: [] }, /schema 1/],
  ["an image config", { architecture: "amd64", os: "linux", rootfs: {} }, /no known shape/],
  ["a manifest with a digestless layer", {
    schemaVersion: 2,
    config: { digest: d("c"), size: 2 },
    layers: [{ size: 1 }],
  }, /layer 0 lacks a digest or size/],
  ["a manifest with a sizeless config", {
    schemaVersion: 2,
    config: { digest: d("c") },
    layers: [],
  }, /config lacks a digest or size/],
  ["an unknown media type", { schemaVersion: 2, mediaType: "text/plain" }, /mediaType text\/plain/],
];
for (const [what, doc, why] of notManifests) {
  Deno.test(`manifestFacts() refuses ${what}`, () => {
    const facts = manifestFacts(enc(doc));
    assert.ok("problem" in facts);
    assert.match(facts.problem, why);
  });
}

Deno.test("childDescriptors() gives the child descriptors of a readable index only", () => {
  const good = { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: d("a"), size: 5 };
  const other = { ...good, digest: d("b") };
  assert.deepEqual(childDescriptors(enc({ schemaVersion: 2, manifests: [good, other] })), [
    good,
    other,
  ]);
  const broken = enc({ schemaVersion: 2, manifests: [good, { ...good, size: -1 }] });
  assert.deepEqual(childDescriptors(broken), []);
  assert.deepEqual(childDescriptors(enc("not json")), []);
  assert.deepEqual(childDescriptors(enc({ schemaVersion: 2, config: {}, layers: [] })), []);
});
