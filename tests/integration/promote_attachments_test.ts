/**
 * Attachments end to end: `cip` as a subprocess between real docker-registry processes, which
 * have no referrers API (cosign's tags and the referrers tag schema carry everything), and
 * skopeo, an independent client, reading what the destination serves.
 */
import assert from "node:assert/strict";
import {
  attestationLayer,
  bundleReferrer,
  cosignArtifact,
  cosignSignatures,
  pushArtifact,
  pushReferrer,
  sbomLayer,
  subjectOf,
} from "../fixtures/attachments.ts";
import { digestOf, makeImage, pushImage } from "../fixtures/images.ts";
import { plainManifest } from "../fixtures/manifest_text.ts";
import { runCli } from "../cli/run_cli.ts";
import { startLoggedRegistry, writesOf } from "./logged_registry.ts";
import { requireBinary } from "./registry_process.ts";
import { skopeoRaw } from "./skopeo.ts";

const IMAGE = makeImage({ layers: 2, mediaType: "oci", seed: 61 });
const D = IMAGE.manifest.digest;
const HEX = D.slice(7);

function layersOf(bytes: Uint8Array): Record<string, unknown>[] {
  return JSON.parse(new TextDecoder().decode(bytes)).layers;
}

Deno.test("cip carries signatures, attestations, SBOMs and referrers to docker-registry, merges a signature there, and a rerun writes nothing", async () => {
  requireBinary("skopeo");
  const a = await startLoggedRegistry();
  const b = await startLoggedRegistry();
  const dir = await Deno.makeTempDir({ prefix: "cip-attach-it-" });
  try {
    const repo = "staging/app";
    await pushImage(a.url, repo, IMAGE, ["1.0"]);
    const sig = cosignSignatures(D, [1, 2]);
    const att = cosignArtifact(D, "att", [attestationLayer(D, "https://slsa.dev/provenance/v1")]);
    const sbom = cosignArtifact(D, "sbom", [sbomLayer("spdx")]);
    for (const x of [sig, att, sbom]) await pushArtifact(a.url, repo, x);
    const bundle = bundleReferrer(subjectOf(IMAGE.manifest), 3);
    assert.equal((await pushReferrer(a.url, repo, bundle)).ociSubject, null);
    // The destination holds a signature of the image by someone else, not the image yet.
    const theirs = cosignSignatures(D, [7]);
    await pushArtifact(b.url, "prod/app", theirs);
    const manifest = `${dir}/promoter-manifest.yaml`;
    await Deno.writeTextFile(
      manifest,
      plainManifest(`${a.host}/staging`, [`${b.host}/prod`], [
        { name: "app", dmap: { [D]: ["1.0"] } },
      ]),
    );

    await b.mark();
    const dry = await runCli(["run", `--manifest=${manifest}`]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(
      dry.stdout,
      new RegExp(
        `${b.host}/prod/app@${D}: 2 signatures, 1 attestation, 1 SBOM ` +
          "\\(3 to copy, 1 to merge\\)",
      ),
    );
    assert.deepEqual(writesOf(await b.served()), []);

    const run = await runCli([
      "run",
      `--manifest=${manifest}`,
      "--confirm",
      `--report=${dir}/report.json`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(await Deno.readTextFile(`${dir}/report.json`));
    assert.deepEqual(report.attachments.destinations[`${b.host}/prod`], {
      copied: 3,
      merged: 1,
      present: 0,
      failed: 0,
      refused: 0,
      indexes: 1,
    });
    // skopeo reads the copied tags and the referrer byte for byte.
    for (const x of [att, sbom]) {
      assert.deepEqual(await skopeoRaw(`${b.host}/prod/app:${x.tag}`), x.manifest.bytes);
    }
    assert.deepEqual(
      await skopeoRaw(`${b.host}/prod/app@${bundle.manifest.digest}`),
      bundle.manifest.bytes,
    );
    // The merged .sig keeps the destination's signature and adds both of the source's.
    const merged = await skopeoRaw(`${b.host}/prod/app:sha256-${HEX}.sig`);
    assert.deepEqual(layersOf(merged), [
      ...layersOf(theirs.manifest.bytes),
      ...layersOf(sig.manifest.bytes),
    ]);
    assert.match(run.stderr, /attachments 3 copied, 1 merged, 0 already present/);
    // The destination has no referrers API: its referrers index lists the referrer.
    const index = JSON.parse(
      new TextDecoder().decode(await skopeoRaw(`${b.host}/prod/app:sha256-${HEX}`)),
    );
    assert.deepEqual(index.manifests.map((m: { digest: string }) => m.digest), [
      bundle.manifest.digest,
    ]);
    assert.equal(digestOf(await skopeoRaw(`${b.host}/prod/app:1.0`)), D);

    // A rerun: the image and its attachment tags are there, as the listings show; a plain
    // listing gives no digests, so nothing more is read and nothing is written.
    await Promise.all([a.mark(), b.mark()]);
    const again = await runCli(["run", `--manifest=${manifest}`, "--confirm"]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(writesOf(await b.served()), []);
    assert.doesNotMatch(again.stderr, /attachments/);
    const sourceReads = (await a.served()).lines.filter((l) =>
      l.uri.includes("/manifests/sha256-")
    );
    assert.deepEqual(sourceReads, []);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await Deno.remove(dir, { recursive: true });
  }
});
