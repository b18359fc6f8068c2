import assert from "node:assert/strict";
import {
  type Attachment,
  type AttachmentGraph,
  countByRoot,
  discoverAttachments,
} from "../../src/attach/mod.ts";
import type { Descriptor } from "../../src/registry/api.ts";
import { FakeRegistry } from "../fakes/registry.ts";
import {
  type ArtifactFixture,
  artifactIndexReferrer,
  attestationLayer,
  attestationReferrer,
  bundleReferrer,
  cosignArtifact,
  cosignSignatures,
  pushArtifact,
  pushReferrer,
  sbomLayer,
  sbomReferrer,
  subjectOf,
} from "../fixtures/attachments.ts";
import { makeImage, makeIndex, pushImage, pushIndex } from "../fixtures/images.ts";
import { httpReader } from "./http_reader.ts";

const URL_ = "https://reg.test";
const IMAGE = makeImage({ layers: 1, mediaType: "oci", seed: 51 });
const ROOT: Descriptor = {
  mediaType: IMAGE.manifest.mediaType,
  digest: IMAGE.manifest.digest,
  size: IMAGE.manifest.bytes.length,
};

/** An image with everything attached both ways, and attachments of attachments. */
async function world(referrers: boolean) {
  const fake = new FakeRegistry({ host: "reg.test", referrers });
  const opts = { fetch: fake.fetch };
  await pushImage(URL_, "app", IMAGE, ["v1"], opts);
  const d = IMAGE.manifest.digest;
  const sig = cosignSignatures(d, [1, 2]);
  const att = cosignArtifact(d, "att", [attestationLayer(d, "https://slsa.dev/provenance/v1")]);
  const sbomTag = cosignArtifact(d, "sbom", [sbomLayer("spdx")]);
  const sbomSig = cosignSignatures(sbomTag.manifest.digest, [3]);
  for (const a of [sig, att, sbomTag, sbomSig]) await pushArtifact(URL_, "app", a, undefined, opts);
  const bundle = bundleReferrer(subjectOf(IMAGE.manifest), 1);
  const sbom = sbomReferrer(subjectOf(IMAGE.manifest));
  const slsa = attestationReferrer(subjectOf(IMAGE.manifest));
  const onSbom = bundleReferrer(subjectOf(sbom.manifest), 2);
  for (const r of [bundle, sbom, slsa, onSbom]) await pushReferrer(URL_, "app", r, opts);
  return { fake, sig, att, sbomTag, sbomSig, bundle, sbom, slsa, onSbom };
}

function summary(g: AttachmentGraph): string[] {
  return g.attachments.map((a) =>
    `${a.depth} ${a.kind} ${a.via} ${a.manifest.digest.slice(7, 15)}`
  );
}

function line(depth: number, kind: string, via: string, a: ArtifactFixture): string {
  return `${depth} ${kind} ${via} ${a.manifest.digest.slice(7, 15)}`;
}

/** Every attachment comes after what it is attached to (when that is an attachment). */
function assertCopyOrder(g: AttachmentGraph): void {
  const placed = new Set(g.subjects);
  for (const a of g.attachments) {
    assert.ok(placed.has(a.subject), `${a.manifest.digest} before its subject ${a.subject}`);
    placed.add(a.manifest.digest);
    for (const c of a.children) placed.add(c.digest);
  }
}

Deno.test("discovery finds cosign tags and API referrers, and what is attached to them", async () => {
  const w = await world(true);
  const reader = httpReader(URL_, w.fake.fetch);
  const g = await discoverAttachments(reader, "app", [ROOT]);
  assert.deepEqual(summary(g), [
    line(1, "attestation", "cosign-tag", w.att),
    line(1, "sbom", "cosign-tag", w.sbomTag),
    line(1, "signature", "cosign-tag", w.sig),
    line(1, "signature", "referrers-api", w.bundle),
    line(1, "sbom", "referrers-api", w.sbom),
    line(1, "attestation", "referrers-api", w.slsa),
    line(2, "signature", "cosign-tag", w.sbomSig),
    line(2, "signature", "referrers-api", w.onSbom),
  ]);
  assert.equal(g.referrersApi, "present");
  assert.deepEqual(g.subjects, [IMAGE.manifest.digest]);
  assert.deepEqual(g.notes, []);
  assertCopyOrder(g);
  const sig = g.attachments.find((a) => a.tag === w.sig.tag) as Attachment;
  assert.equal(sig.subject, IMAGE.manifest.digest);
  assert.equal(sig.root, IMAGE.manifest.digest);
  assert.deepEqual(g.manifests.get(sig.manifest.digest)?.bytes, w.sig.manifest.bytes);
  assert.equal(
    g.attachments.find((a) => a.manifest.digest === w.onSbom.manifest.digest)?.subject,
    w.sbom.manifest.digest,
  );
  assert.equal(
    g.attachments.find((a) => a.manifest.digest === w.bundle.manifest.digest)?.manifest.annotations
      ?.["dev.sigstore.bundle.content"],
    "dsse-envelope",
  );
});

Deno.test("discovery counts its reads, one per request, and reads each manifest once", async () => {
  const w = await world(true);
  const reader = httpReader(URL_, w.fake.fetch);
  const g = await discoverAttachments(reader, "app", [ROOT]);
  const { tagLists, manifests, referrers } = g.reads;
  assert.equal(tagLists + manifests + referrers, reader.requests.length);
  assert.equal(tagLists, 1);
  assert.equal(manifests, 8, "eight attached manifests, each read once");
  assert.equal(referrers, 9, "the image and each of its eight attachments");
  assert.equal(new Set(reader.requests).size, reader.requests.length);
});

Deno.test("without the API, discovery reads the referrers tag schema, asking the API once", async () => {
  const w = await world(false);
  const reader = httpReader(URL_, w.fake.fetch);
  const g = await discoverAttachments(reader, "app", [ROOT]);
  assert.deepEqual(summary(g), [
    line(1, "attestation", "cosign-tag", w.att),
    line(1, "sbom", "cosign-tag", w.sbomTag),
    line(1, "signature", "cosign-tag", w.sig),
    line(1, "signature", "referrers-tag", w.bundle),
    line(1, "sbom", "referrers-tag", w.sbom),
    line(1, "attestation", "referrers-tag", w.slsa),
    line(2, "signature", "cosign-tag", w.sbomSig),
    line(2, "signature", "referrers-tag", w.onSbom),
  ]);
  assert.equal(g.referrersApi, "absent");
  assert.equal(g.reads.referrers, 1);
  assert.equal(reader.requests.filter((r) => r.includes("/referrers/")).length, 1);
  const imageTag = `sha256-${IMAGE.manifest.digest.slice(7)}`;
  assert.deepEqual(
    g.referrersIndexes.get(IMAGE.manifest.digest)?.bytes,
    w.fake.manifest("app", imageTag)?.bytes,
  );
  assert.deepEqual([...g.referrersIndexes.keys()], [IMAGE.manifest.digest, w.sbom.manifest.digest]);
  // Tag-schema indexes are read only for digests that have one in the tag list.
  assert.equal(reader.requests.filter((r) => /manifests\/sha256-[0-9a-f]{64}$/.test(r)).length, 2);
  assertCopyOrder(g);
});

Deno.test("discovery searches the children of an index and counts their attachments to it", async () => {
  const fake = new FakeRegistry({ host: "reg.test", referrers: true });
  const opts = { fetch: fake.fetch };
  const amd = makeImage({ layers: 1, mediaType: "oci", seed: 52 });
  const arm = makeImage({
    layers: 1,
    mediaType: "oci",
    seed: 53,
    platform: { architecture: "arm64", os: "linux" },
  });
  const index = makeIndex([amd, arm], "oci");
  await pushIndex(URL_, "app", index, ["v2"], opts);
  await pushImage(URL_, "app", IMAGE, ["v1"], opts);
  await pushArtifact(URL_, "app", cosignSignatures(index.manifest.digest), undefined, opts);
  await pushArtifact(URL_, "app", cosignSignatures(arm.manifest.digest), undefined, opts);
  await pushReferrer(URL_, "app", sbomReferrer(subjectOf(amd.manifest)), opts);
  const root = subjectOf(index.manifest);
  const g = await discoverAttachments(httpReader(URL_, fake.fetch), "app", [root, ROOT]);
  assert.deepEqual(g.subjects, [
    index.manifest.digest,
    IMAGE.manifest.digest,
    amd.manifest.digest,
    arm.manifest.digest,
  ]);
  assert.deepEqual(g.attachments.map((a) => [a.subject, a.root, a.kind]), [
    [index.manifest.digest, index.manifest.digest, "signature"],
    [amd.manifest.digest, index.manifest.digest, "sbom"],
    [arm.manifest.digest, index.manifest.digest, "signature"],
  ]);
  const counts = countByRoot(g, [index.manifest.digest, IMAGE.manifest.digest]);
  assert.deepEqual(counts.get(index.manifest.digest), {
    signature: 2,
    attestation: 0,
    sbom: 1,
    other: 0,
  });
  assert.deepEqual(counts.get(IMAGE.manifest.digest), {
    signature: 0,
    attestation: 0,
    sbom: 0,
    other: 0,
  });
});

Deno.test("an attached index is listed with its children, which are searched as well", async () => {
  const fake = new FakeRegistry({ host: "reg.test", referrers: true });
  const opts = { fetch: fake.fetch };
  await pushImage(URL_, "app", IMAGE, ["v1"], opts);
  const part = sbomReferrer(subjectOf(IMAGE.manifest), "cyclonedx", 2);
  const whole = artifactIndexReferrer(subjectOf(IMAGE.manifest), "application/vnd.example.sboms", [
    part,
  ]);
  const partSig = cosignSignatures(part.manifest.digest);
  for (const a of [part, whole, partSig]) await pushArtifact(URL_, "app", a, undefined, opts);
  const g = await discoverAttachments(httpReader(URL_, fake.fetch), "app", [ROOT]);
  const wholeFound = g.attachments.find((a) => a.manifest.digest === whole.manifest.digest);
  assert.deepEqual(wholeFound?.children.map((c) => c.digest), [part.manifest.digest]);
  assert.equal(wholeFound?.kind, "other");
  const sigFound = g.attachments.find((a) => a.tag === partSig.tag);
  assert.equal(sigFound?.subject, part.manifest.digest);
  assertCopyOrder(g);
});
