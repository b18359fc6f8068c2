import assert from "node:assert/strict";
import { parseArtifact, referrersEntry, referrersIndex } from "../../src/attach/mod.ts";
import { sha256Digest } from "../../src/registry/mod.ts";
import {
  artifactIndexReferrer,
  bundleReferrer,
  EMPTY_BLOB,
  referrerArtifact,
  referrerDescriptor,
  sbomReferrer,
  subjectOf,
} from "../fixtures/attachments.ts";
import { makeImage } from "../fixtures/images.ts";

const SUBJECT = subjectOf(makeImage({ layers: 1, mediaType: "oci", seed: 31 }).manifest);

Deno.test("referrersEntry() gives what the referrers API lists for a manifest", () => {
  const custom = { ...EMPTY_BLOB, mediaType: "application/vnd.example.config.v1+json" };
  const sbom = sbomReferrer(SUBJECT);
  const index = artifactIndexReferrer(SUBJECT, "application/vnd.example.sboms", [sbom]);
  const untyped = referrerArtifact({ subject: SUBJECT, config: custom });
  const cases = [bundleReferrer(SUBJECT), sbom, index, untyped];
  for (const a of cases) {
    const entry = referrersEntry(parseArtifact(a.manifest), a.manifest.bytes);
    assert.deepEqual(entry, referrerDescriptor(a.manifest), a.manifest.digest);
  }
  assert.equal(
    referrersEntry(parseArtifact(untyped.manifest), untyped.manifest.bytes).artifactType,
    custom.mediaType,
  );
  const noType = JSON.parse(new TextDecoder().decode(index.manifest.bytes));
  delete noType.artifactType;
  const bytes = new TextEncoder().encode(JSON.stringify(noType));
  const m = { mediaType: index.manifest.mediaType, digest: sha256Digest(bytes), bytes };
  assert.equal("artifactType" in referrersEntry(parseArtifact(m), bytes), false);
});

Deno.test("referrersIndex() writes an OCI index of the entries, each digest once", () => {
  const a = bundleReferrer(SUBJECT, 1);
  const b = sbomReferrer(SUBJECT);
  const entries = [a, b, a].map((x) => referrersEntry(parseArtifact(x.manifest), x.manifest.bytes));
  const index = referrersIndex(entries);
  assert.equal(index.mediaType, "application/vnd.oci.image.index.v1+json");
  assert.equal(index.digest, sha256Digest(index.bytes));
  const doc = JSON.parse(new TextDecoder().decode(index.bytes));
  assert.equal(doc.schemaVersion, 2);
  assert.equal(doc.mediaType, "application/vnd.oci.image.index.v1+json");
  assert.deepEqual(doc.manifests, [a, b].map((x) => referrerDescriptor(x.manifest)));
  assert.deepEqual(JSON.parse(new TextDecoder().decode(referrersIndex([]).bytes)).manifests, []);
});
