/**
 * The attachment fixtures against a real CNCF Distribution registry, which has no referrers API:
 * it takes cosign's tags, OCI 1.1 referrers (pushed with the spec's tag-schema fall-back) and
 * merged accumulators, and skopeo, an independent client, reads every one back byte for byte.
 * Discovery, over plain HTTP, finds all of them.
 */
import assert from "node:assert/strict";
import {
  discoverAttachments,
  mergeCosignManifest,
  mergeReferrersIndex,
  type MergeResult,
  parseArtifact,
} from "../../src/attach/mod.ts";
import { httpReader } from "../attach/http_reader.ts";
import {
  type ArtifactFixture,
  artifactIndexReferrer,
  attestationLayer,
  attestationReferrer,
  bundleReferrer,
  cosignArtifact,
  cosignSignatures,
  EMPTY_BLOB,
  pushArtifact,
  pushReferrer,
  putManifest,
  referrerArtifact,
  referrersTagIndex,
  sbomLayer,
  sbomReferrer,
  signatureLayer,
  subjectOf,
} from "../fixtures/attachments.ts";
import { digestOf, makeImage, pushBlob, pushImage } from "../fixtures/images.ts";
import { startRegistry } from "./registry_process.ts";
import { skopeoRaw } from "./skopeo.ts";

const IMAGE = makeImage({ layers: 2, mediaType: "oci", seed: 71 });
const D = IMAGE.manifest.digest;
const HEX = D.slice(7);

/** Everything the fixtures can attach to IMAGE, each kind both ways, and nested. */
function attachments() {
  const subject = subjectOf(IMAGE.manifest);
  const sbomTag = cosignArtifact(D, "sbom", [sbomLayer("spdx"), sbomLayer("cyclonedx")]);
  const sbom = sbomReferrer(subject);
  const part = sbomReferrer(subject, "cyclonedx", 5);
  return {
    cosign: [
      cosignSignatures(D, [1, 2]),
      cosignArtifact(D, "att", [
        attestationLayer(D, "https://slsa.dev/provenance/v0.2"),
        attestationLayer(D, "https://spdx.dev/Document", 2),
      ]),
      sbomTag,
      cosignSignatures(sbomTag.manifest.digest, [3]),
    ],
    referrers: [
      bundleReferrer(subject, 1),
      sbom,
      attestationReferrer(subject),
      referrerArtifact({
        subject,
        config: { ...EMPTY_BLOB, mediaType: "application/vnd.example.config.v1+json" },
      }),
      bundleReferrer(subjectOf(sbom.manifest), 2),
      part,
      artifactIndexReferrer(subject, "application/vnd.example.sboms", [part]),
    ],
  };
}

Deno.test({
  name: "docker-registry takes the attachment fixtures and skopeo reads them back byte for byte",
  async fn() {
    const registry = await startRegistry();
    try {
      const { cosign, referrers } = attachments();
      await pushImage(registry.url, "app", IMAGE, ["v1"]);
      for (const a of cosign) await pushArtifact(registry.url, "app", a);
      for (const r of referrers) {
        const pushed = await pushReferrer(registry.url, "app", r);
        assert.equal(pushed.ociSubject, null, "docker-registry has no referrers API");
      }
      const api = await fetch(`${registry.url}/v2/app/referrers/${D}`);
      await api.body?.cancel();
      assert.equal(api.status, 404);

      const ref = (r: string) => `${registry.host}/app${r.startsWith("sha256:") ? "@" : ":"}${r}`;
      for (const a of [...cosign, ...referrers]) {
        for (const r of [a.manifest.digest, ...(a.tag ? [a.tag] : [])]) {
          assert.deepEqual(await skopeoRaw(ref(r)), a.manifest.bytes, r);
        }
      }
      const index = await skopeoRaw(ref(`sha256-${HEX}`));
      const listed = JSON.parse(new TextDecoder().decode(index)).manifests.map(
        (m: { digest: string }) => m.digest,
      );
      const direct = referrers.filter((r) =>
        JSON.parse(new TextDecoder().decode(r.manifest.bytes)).subject.digest === D
      );
      assert.deepEqual(listed, direct.map((r) => r.manifest.digest));

      const reader = httpReader(registry.url);
      const g = await discoverAttachments(reader, "app", [subjectOf(IMAGE.manifest)]);
      assert.equal(g.referrersApi, "absent");
      assert.deepEqual(g.notes, []);
      assert.deepEqual(
        new Set(g.attachments.map((a) => a.manifest.digest)),
        new Set([...cosign, ...referrers].map((a) => a.manifest.digest)),
      );
      assert.deepEqual(g.referrersIndexes.get(D)?.bytes, index);
    } finally {
      await registry.stop();
    }
  },
});

/** Writes a merge result's new blobs, then the merged manifest under `tag`, as a copier would. */
async function writeMerge(
  url: string,
  repo: string,
  tag: string,
  source: ArtifactFixture,
  merged: MergeResult,
): Promise<void> {
  for (const d of merged.added) {
    const blob = source.blobs.find((b) => b.digest === d.digest);
    if (blob !== undefined) await pushBlob(url, repo, blob);
  }
  await putManifest(url, repo, merged.manifest, tag);
}

Deno.test({
  name: "docker-registry takes merged .sig tags and referrers indexes, and serves them exactly",
  async fn() {
    const registry = await startRegistry();
    try {
      const url = registry.url;
      await pushImage(url, "prod", IMAGE, ["v1"]);
      const theirs = cosignArtifact(D, "sig", [
        signatureLayer({ subject: D, signer: 9, annotations: { note: "kept <as> & is" } }),
      ], "indented");
      await pushArtifact(url, "prod", theirs);
      const ours = cosignSignatures(D, [1, 9]);
      const sig = mergeCosignManifest(ours.tag!, ours.manifest, theirs.manifest);
      assert.equal(sig.write, true);
      await writeMerge(url, "prod", ours.tag!, ours, sig);
      const served = await skopeoRaw(`${registry.host}/prod:${ours.tag}`);
      assert.deepEqual(served, sig.manifest.bytes);
      assert.equal(digestOf(served), sig.manifest.digest);
      assert.equal(parseArtifact(sig.manifest).entries.length, 3);
      assert.equal(mergeCosignManifest(ours.tag!, ours.manifest, sig.manifest).write, false);

      const subject = subjectOf(IMAGE.manifest);
      const existing = bundleReferrer(subject, 4);
      const fresh = sbomReferrer(subject);
      await pushReferrer(url, "prod", existing);
      for (const b of fresh.blobs) await pushBlob(url, "prod", b);
      await putManifest(url, "prod", fresh.manifest, fresh.manifest.digest);
      const tag = `sha256-${HEX}`;
      const destination = await skopeoRaw(`${registry.host}/prod:${tag}`);
      const staging = referrersTagIndex(subject, [
        fresh,
      ]);
      const idx = mergeReferrersIndex(tag, staging.manifest, {
        mediaType: "application/vnd.oci.image.index.v1+json",
        digest: digestOf(destination),
        bytes: destination,
      });
      await putManifest(url, "prod", idx.manifest, tag);
      assert.deepEqual(await skopeoRaw(`${registry.host}/prod:${tag}`), idx.manifest.bytes);
      assert.deepEqual(
        parseArtifact(idx.manifest).entries.map((e) => e.descriptor.digest),
        [existing.manifest.digest, fresh.manifest.digest],
      );
    } finally {
      await registry.stop();
    }
  },
});
