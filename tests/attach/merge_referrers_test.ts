import assert from "node:assert/strict";
import {
  mergeAccumulator,
  mergeReferrersIndex,
  MergeRefusedError,
  parseArtifact,
  referrersEntry,
  referrersIndex,
} from "../../src/attach/mod.ts";
import type { ManifestBytes } from "../../src/registry/api.ts";
import { sha256Digest } from "../../src/registry/mod.ts";
import {
  type ArtifactFixture,
  attestationReferrer,
  bundleReferrer,
  cosignSignatures,
  type JsonStyle,
  referrersTagIndex,
  sbomReferrer,
  subjectOf,
} from "../fixtures/attachments.ts";
import { makeImage } from "../fixtures/images.ts";

const IMAGE = makeImage({ layers: 1, mediaType: "oci", seed: 21 }).manifest;
const SUBJECT = subjectOf(IMAGE);
const TAG = `sha256-${IMAGE.digest.slice(7)}`;
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

const SBOM = sbomReferrer(SUBJECT);
const SIG1 = bundleReferrer(SUBJECT, 1);
const SIG2 = bundleReferrer(SUBJECT, 2);
const ATT = attestationReferrer(SUBJECT);

function index(referrers: ArtifactFixture[], style: JsonStyle = "go"): ManifestBytes {
  return referrersTagIndex(SUBJECT, referrers, style).manifest;
}

function digests(m: ManifestBytes): string[] {
  return parseArtifact(m).entries.map((e) => e.descriptor.digest);
}

Deno.test("a referrers index the destination lacks is taken from the source as it is", () => {
  const source = index([SBOM, SIG1]);
  const r = mergeReferrersIndex(TAG, source, null);
  assert.equal(r.manifest, source);
  assert.equal(r.write, true);
  assert.deepEqual(r.added.map((d) => d.digest), [SBOM, SIG1].map((a) => a.manifest.digest));
});

Deno.test("the merged referrers index lists the destination's entries, then the source's new ones", () => {
  const destination = index([SIG2, SBOM]);
  const r = mergeReferrersIndex(TAG, index([SBOM, SIG1, ATT]), destination);
  assert.equal(r.write, true);
  assert.equal(r.kept, 2);
  assert.deepEqual(digests(r.manifest), [SIG2, SBOM, SIG1, ATT].map((a) => a.manifest.digest));
  assert.equal(r.manifest.digest, sha256Digest(r.manifest.bytes));
  assert.deepEqual(r.added.map((d) => d.artifactType), [
    "application/vnd.dev.sigstore.bundle.v0.3+json",
    "application/vnd.in-toto+json",
  ]);
});

Deno.test("entries are one per digest: a destination entry is kept as the destination wrote it", () => {
  const destination = index([SBOM]);
  const relabelled = new TextEncoder().encode(
    dec(index([SBOM]).bytes).replace("2024-02-0", "2025-12-0"),
  );
  const source = { ...destination, bytes: relabelled, digest: sha256Digest(relabelled) };
  assert.notEqual(source.digest, destination.digest);
  const r = mergeReferrersIndex(TAG, source, destination);
  assert.equal(r.write, false);
  assert.equal(r.manifest, destination);
});

Deno.test("merging referrers indexes keeps the destination's exact bytes, however it is spaced", () => {
  const destination = index([SIG1], "indented");
  const r = mergeReferrersIndex(TAG, index([SIG2]), destination);
  const added = dec(parseArtifact(index([SIG2])).entries[0]!.raw);
  const dst = dec(destination.bytes);
  const at = dst.lastIndexOf("}", dst.lastIndexOf("]")) + 1;
  assert.equal(dec(r.manifest.bytes), `${dst.slice(0, at)},${added}${dst.slice(at)}`);
});

Deno.test("merging referrers indexes is idempotent and order-stable", () => {
  let current = index([SBOM]);
  for (const source of [index([SIG1]), index([SIG2, SIG1]), index([ATT, SBOM])]) {
    const before = digests(current);
    const r = mergeReferrersIndex(TAG, source, current);
    assert.deepEqual(digests(r.manifest).slice(0, before.length), before);
    assert.equal(mergeReferrersIndex(TAG, source, r.manifest).write, false);
    current = r.manifest;
  }
  assert.deepEqual(digests(current), [SBOM, SIG1, SIG2, ATT].map((a) => a.manifest.digest));
});

Deno.test("an index built from manifests with referrersIndex() merges into a client-written one", () => {
  const built = referrersIndex(
    [SIG1, ATT].map((a) => referrersEntry(parseArtifact(a.manifest), a.manifest.bytes)),
  );
  const r = mergeReferrersIndex(TAG, built, index([SIG1]));
  assert.deepEqual(digests(r.manifest), [SIG1, ATT].map((a) => a.manifest.digest));
});

Deno.test("mergeReferrersIndex() refuses a tag or a side that is not a referrers index", () => {
  const ok = index([SBOM]);
  const sig = cosignSignatures(IMAGE.digest).manifest;
  const list = { ...ok, mediaType: "application/vnd.docker.distribution.manifest.list.v2+json" };
  const cases: [string, ManifestBytes, ManifestBytes | null, string][] = [
    [`${TAG}.sig`, ok, ok, "not-an-accumulator"],
    ["latest", ok, ok, "not-an-accumulator"],
    [TAG, sig, ok, "not-the-layout"],
    [TAG, ok, sig, "not-the-layout"],
    [TAG, ok, list, "not-the-layout"],
    [TAG, list, null, "not-the-layout"],
  ];
  for (const [tag, source, destination, reason] of cases) {
    assert.throws(
      () => mergeReferrersIndex(tag, source, destination),
      (e) => e instanceof MergeRefusedError && e.reason === reason,
      `${tag} ${reason}`,
    );
  }
});

Deno.test("mergeAccumulator() merges the accumulators and refuses every other tag", () => {
  const sig = (signers: number[]) => cosignSignatures(IMAGE.digest, signers).manifest;
  assert.equal(mergeAccumulator(`${TAG}.sig`, sig([2]), sig([1])).added.length, 1);
  assert.equal(mergeAccumulator(TAG, index([SIG1]), index([SBOM])).added.length, 1);
  for (const tag of [`${TAG}.sbom`, "v1.0", "latest", `${TAG}.sig.old`]) {
    assert.throws(
      () => mergeAccumulator(tag, sig([2]), sig([1])),
      (e) =>
        e instanceof MergeRefusedError && e.reason === "not-an-accumulator" &&
        /other tags never move/.test(e.message),
      tag,
    );
  }
});
