import assert from "node:assert/strict";
import {
  checkDescriptor,
  effectiveArtifactType,
  ManifestShapeError,
  parseArtifact,
} from "../../src/attach/mod.ts";
import type { ManifestBytes } from "../../src/registry/api.ts";
import {
  ATTACHMENT_TYPES,
  bundleReferrer,
  cosignSignatures,
  EMPTY_BLOB,
  referrerArtifact,
  referrersTagIndex,
  sbomReferrer,
  subjectOf,
} from "../fixtures/attachments.ts";
import { digestOf, makeImage } from "../fixtures/images.ts";

const IMAGE = makeImage({ layers: 1, mediaType: "oci", seed: 3 });
const SUBJECT = subjectOf(IMAGE.manifest);
const D = `sha256:${"ab".repeat(32)}`;

function manifest(doc: unknown, mediaType: string = ATTACHMENT_TYPES.ociManifest): ManifestBytes {
  const bytes = new TextEncoder().encode(typeof doc === "string" ? doc : JSON.stringify(doc));
  return { mediaType, digest: digestOf(bytes), bytes };
}

const config = { mediaType: EMPTY_BLOB.mediaType, digest: EMPTY_BLOB.digest, size: 2 };
const layer = { mediaType: "text/plain", digest: D, size: 5 };

Deno.test("parseArtifact() reads a cosign .sig manifest, keeping each layer's exact bytes", () => {
  const sig = cosignSignatures(IMAGE.manifest.digest, [1, 2]);
  const a = parseArtifact(sig.manifest);
  assert.equal(a.isIndex, false);
  assert.equal(a.config?.mediaType, ATTACHMENT_TYPES.ociConfig);
  assert.equal(a.entries.length, 2);
  const text = new TextDecoder().decode(sig.manifest.bytes);
  for (const e of a.entries) {
    assert.ok(text.includes(new TextDecoder().decode(e.raw)));
    assert.equal(e.descriptor.mediaType, ATTACHMENT_TYPES.simpleSigning);
    assert.ok(e.descriptor.annotations?.["dev.cosignproject.cosign/signature"]);
  }
  assert.equal(a.subject, undefined);
  assert.deepEqual(a.annotations, {});
});

Deno.test("parseArtifact() reads a referrer's subject, artifactType and annotations", () => {
  const r = bundleReferrer(SUBJECT, 4);
  const a = parseArtifact(r.manifest);
  assert.deepEqual(a.subject, SUBJECT);
  assert.equal(a.artifactType, ATTACHMENT_TYPES.sigstoreBundle);
  assert.equal(a.annotations["dev.sigstore.bundle.content"], "dsse-envelope");
  assert.equal(effectiveArtifactType(a), ATTACHMENT_TYPES.sigstoreBundle);
});

Deno.test("effectiveArtifactType() falls back to the config's media type, never for an index", () => {
  const custom = { ...EMPTY_BLOB, mediaType: "application/vnd.example.config.v1+json" };
  const old = referrerArtifact({ subject: SUBJECT, config: custom });
  assert.equal(effectiveArtifactType(parseArtifact(old.manifest)), custom.mediaType);
  const index = referrersTagIndex(SUBJECT, [sbomReferrer(SUBJECT)]);
  assert.equal(effectiveArtifactType(parseArtifact(index.manifest)), undefined);
});

Deno.test("parseArtifact() refuses malformed or oversized manifests, saying what is wrong", () => {
  const ok = { schemaVersion: 2, mediaType: ATTACHMENT_TYPES.ociManifest, config, layers: [layer] };
  const cases: [string, ManifestBytes, RegExp][] = [
    ["not JSON", manifest("{"), /not one JSON object/],
    ["not UTF-8", { ...manifest("{}"), bytes: new Uint8Array([0x7b, 0xff, 0x7d]) }, /JSON/],
    ["an array", manifest("[]"), /not one JSON object/],
    [
      "schema 1",
      manifest(ok, "application/vnd.docker.distribution.manifest.v1+prettyjws"),
      /cannot hold/,
    ],
    ["schemaVersion 1", manifest({ ...ok, schemaVersion: 1 }), /schemaVersion/],
    ["served as another type", manifest(ok, ATTACHMENT_TYPES.ociIndex), /says it is/],
    ["no layers", manifest({ ...ok, layers: undefined }), /no "layers" array/],
    [
      "index without manifests",
      manifest({ schemaVersion: 2 }, ATTACHMENT_TYPES.ociIndex),
      /no "manifests"/,
    ],
    ["no config", manifest({ ...ok, config: undefined }), /config: a descriptor is not an object/],
    [
      "bad digest",
      manifest({ ...ok, layers: [{ ...layer, digest: "sha256:abc" }] }),
      /layers\[0\].*digest/,
    ],
    [
      "sha512 digest",
      manifest({ ...ok, layers: [{ ...layer, digest: `sha512:${"a".repeat(128)}` }] }),
      /digest/,
    ],
    ["negative size", manifest({ ...ok, layers: [{ ...layer, size: -1 }] }), /valid size/],
    ["fractional size", manifest({ ...ok, layers: [{ ...layer, size: 1.5 }] }), /valid size/],
    ["size as text", manifest({ ...ok, layers: [{ ...layer, size: "5" }] }), /valid size/],
    ["huge size", manifest({ ...ok, layers: [{ ...layer, size: 2 ** 60 }] }), /valid size/],
    ["no media type", manifest({ ...ok, layers: [{ ...layer, mediaType: "" }] }), /media type/],
    [
      "media type with newline",
      manifest({ ...ok, layers: [{ ...layer, mediaType: "a/b\n" }] }),
      /media type/,
    ],
    [
      "bad annotations",
      manifest({ ...ok, annotations: { a: 1 } }),
      /annotation "a" is not a string/,
    ],
    [
      "bad layer annotations",
      manifest({ ...ok, layers: [{ ...layer, annotations: [] }] }),
      /not an object/,
    ],
    ["bad subject", manifest({ ...ok, subject: { digest: D } }), /subject/],
    ["bad artifactType", manifest({ ...ok, artifactType: "nope" }), /artifactType/],
    [
      "repeated key",
      manifest(`{"schemaVersion":2,"config":${JSON.stringify(config)},"layers":[],"layers":[]}`),
      /not one JSON object/,
    ],
  ];
  for (const [name, m, detail] of cases) {
    assert.throws(
      () => parseArtifact(m),
      (e) => e instanceof ManifestShapeError && e.what === m.digest && detail.test(e.message),
      name,
    );
  }
});

Deno.test("parseArtifact() caps the size and the number of entries", () => {
  const sig = cosignSignatures(IMAGE.manifest.digest, [1, 2, 3]);
  assert.throws(() => parseArtifact(sig.manifest, { maxEntries: 2 }), /more than 2 layers/);
  assert.equal(parseArtifact(sig.manifest, { maxEntries: 3 }).entries.length, 3);
  const n = sig.manifest.bytes.length;
  assert.throws(() => parseArtifact(sig.manifest, { maxBytes: n - 1 }), /larger than/);
  assert.equal(parseArtifact(sig.manifest, { maxBytes: n }).entries.length, 3);
});

Deno.test("checkDescriptor() takes OCI 1.1 descriptors and names what is wrong with others", () => {
  const full = { ...layer, artifactType: "application/vnd.x+json", annotations: { k: "v" } };
  assert.deepEqual(checkDescriptor({ ...full, urls: ["https://x"], data: "e30=" }), full);
  assert.deepEqual(checkDescriptor({ ...layer, mediaType: "application/a+json; version=0.2" }), {
    ...layer,
    mediaType: "application/a+json; version=0.2",
  });
  const bad: [unknown, RegExp][] = [
    [null, /not an object/],
    [{ ...layer, artifactType: 3 }, /artifactType/],
    [{ ...layer, digest: D.toUpperCase() }, /digest/],
    [{ ...layer, mediaType: "text" }, /media type/],
  ];
  for (const [value, why] of bad) assert.match(checkDescriptor(value) as string, why);
});
