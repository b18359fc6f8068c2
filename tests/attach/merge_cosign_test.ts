import assert from "node:assert/strict";
import {
  ManifestShapeError,
  mergeCosignManifest,
  MergeRefusedError,
  type MergeResult,
  parseArtifact,
} from "../../src/attach/mod.ts";
import type { ManifestBytes } from "../../src/registry/api.ts";
import { sha256Digest } from "../../src/registry/mod.ts";
import {
  cosignLayer,
  cosignSignatureManifest,
  simpleSigningPayload,
} from "../../src/sigstore/mod.ts";
import {
  attestationLayer,
  cosignArtifact,
  cosignSignatures,
  type JsonStyle,
  type LayerFixture,
  signatureLayer,
} from "../fixtures/attachments.ts";
import { digestOf, makeImage } from "../fixtures/images.ts";

const IMAGE = makeImage({ layers: 1, mediaType: "oci", seed: 11 }).manifest.digest;
const SIG = `sha256-${IMAGE.slice(7)}.sig`;
const ATT = `sha256-${IMAGE.slice(7)}.att`;
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function sig(signers: number[], style: JsonStyle = "go"): ManifestBytes {
  const layers = signers.map((signer) => signatureLayer({ subject: IMAGE, signer }));
  return cosignArtifact(IMAGE, "sig", layers, style).manifest;
}

/** The layers' raw JSON texts of a manifest. */
function layerTexts(m: ManifestBytes): string[] {
  return parseArtifact(m).entries.map((e) => dec(e.raw));
}

function assertSound(r: MergeResult): void {
  assert.equal(r.manifest.digest, sha256Digest(r.manifest.bytes));
  assert.equal(r.manifest.mediaType, "application/vnd.oci.image.manifest.v1+json");
}

Deno.test("a .sig the destination lacks is taken from the source as it is", () => {
  const source = sig([1, 2]);
  const r = mergeCosignManifest(SIG, source, null);
  assert.deepEqual(r.manifest, source);
  assert.equal(r.write, true);
  assert.equal(r.kept, 0);
  assert.deepEqual(
    r.added.map((d) => d.digest),
    parseArtifact(source).entries.map((e) => e.descriptor.digest),
  );
});

Deno.test("a destination .sig holding every source signature is not written", () => {
  for (const [src, dst] of [[[1], [1]], [[1], [1, 2]], [[2, 1], [1, 2]]]) {
    const destination = sig(dst!);
    const r = mergeCosignManifest(SIG, sig(src!), destination);
    assert.equal(r.write, false, `${src} into ${dst}`);
    assert.equal(r.manifest, destination);
    assert.deepEqual(r.added, []);
    assert.equal(r.kept, dst!.length);
  }
});

Deno.test("a merge keeps the destination's signatures first, then appends the new ones", () => {
  const destination = sig([1, 3]);
  const source = sig([2, 3, 4]);
  const r = mergeCosignManifest(SIG, source, destination);
  assertSound(r);
  assert.equal(r.write, true);
  assert.equal(r.kept, 2);
  const [d1, d3] = layerTexts(destination);
  const [s2, , s4] = layerTexts(source);
  assert.deepEqual(layerTexts(r.manifest), [d1, d3, s2, s4]);
  assert.deepEqual(
    r.added.map((d) => d.annotations),
    [s2, s4].map((t) => JSON.parse(t!).annotations),
  );
});

Deno.test("a merge changes the destination's bytes only by inserting the new layers' exact bytes", () => {
  for (const style of ["go", "indented"] as const) {
    const destination = sig([1], style);
    const source = sig([2]);
    const r = mergeCosignManifest(SIG, source, destination);
    const [added] = layerTexts(source);
    const dst = dec(destination.bytes);
    const out = dec(r.manifest.bytes);
    const at = dst.lastIndexOf("}", dst.lastIndexOf("]")) + 1;
    assert.equal(out, `${dst.slice(0, at)},${added}${dst.slice(at)}`, style);
  }
});

Deno.test("a merge keeps Go's \\u0026-style escapes in the bytes it keeps and adds", () => {
  const note = { "org.example.note": "a <b> & c" };
  const destination = cosignArtifact(IMAGE, "sig", [
    signatureLayer({ subject: IMAGE, signer: 1, annotations: note }),
  ]).manifest;
  const source = cosignArtifact(IMAGE, "sig", [
    signatureLayer({ subject: IMAGE, signer: 2, annotations: note }),
  ]).manifest;
  const out = dec(mergeCosignManifest(SIG, source, destination).manifest.bytes);
  assert.equal(out.split("a \\u003cb\\u003e \\u0026 c").length, 3);
  assert.ok(!out.includes("a <b> & c"));
});

Deno.test("two signers of one image share a payload digest, and the merge keeps both", () => {
  const one = signatureLayer({ subject: IMAGE, signer: 1 });
  const two = signatureLayer({ subject: IMAGE, signer: 2 });
  assert.equal(one.descriptor.digest, two.descriptor.digest);
  const r = mergeCosignManifest(
    SIG,
    cosignArtifact(IMAGE, "sig", [two]).manifest,
    cosignArtifact(IMAGE, "sig", [one]).manifest,
  );
  assert.equal(r.write, true);
  const sigs = parseArtifact(r.manifest).entries.map((e) =>
    e.descriptor.annotations?.["dev.cosignproject.cosign/signature"]
  );
  assert.deepEqual(
    sigs,
    [one, two].map((l) =>
      (l.descriptor.annotations as Record<string, string>)["dev.cosignproject.cosign/signature"]
    ),
  );
});

Deno.test("merging is idempotent, order-stable and loses nothing, whatever the sequence", () => {
  const sources = [[2], [1, 4], [3, 2], [5], [4, 5, 6]].map((s) => sig(s));
  for (let rotation = 0; rotation < sources.length; rotation++) {
    const order = [...sources.slice(rotation), ...sources.slice(0, rotation)];
    let current = sig([1]);
    const seen: string[] = layerTexts(current);
    for (const source of order) {
      const before = layerTexts(current);
      const r = mergeCosignManifest(SIG, source, current);
      const after = layerTexts(r.manifest);
      assert.deepEqual(
        after.slice(0, before.length),
        before,
        "the destination's layers stay first",
      );
      for (const t of layerTexts(source)) {
        assert.ok(after.includes(t), "no source layer is lost");
        if (!seen.includes(t)) seen.push(t);
      }
      assert.equal(new Set(after).size, after.length, "no layer twice");
      const again = mergeCosignManifest(SIG, source, r.manifest);
      assert.equal(again.write, false, "merging the same source again writes nothing");
      assert.equal(again.manifest, r.manifest);
      current = r.manifest;
    }
    assert.deepEqual(layerTexts(current), seen, `rotation ${rotation}`);
  }
});

Deno.test("attestations accumulate in .att tags like signatures in .sig tags", () => {
  const att = (layers: LayerFixture[]) => cosignArtifact(IMAGE, "att", layers).manifest;
  const slsa = attestationLayer(IMAGE, "https://slsa.dev/provenance/v0.2");
  const vuln = attestationLayer(IMAGE, "https://cosign.sigstore.dev/attestation/vuln/v1");
  const r = mergeCosignManifest(ATT, att([vuln]), att([slsa]));
  assert.deepEqual(
    parseArtifact(r.manifest).entries.map((e) => e.descriptor.annotations?.predicateType),
    ["https://slsa.dev/provenance/v0.2", "https://cosign.sigstore.dev/attestation/vuln/v1"],
  );
});

Deno.test("a .sig written by cip's signer merges with one written as cosign writes it", () => {
  const payload = simpleSigningPayload(IMAGE, "registry.test/app");
  const ours = cosignSignatureManifest([
    cosignLayer(payload, { "dev.cosignproject.cosign/signature": "MEUCIQ==" }),
  ]);
  const r = mergeCosignManifest(SIG, ours.manifest, cosignSignatures(IMAGE, [1]).manifest);
  assert.equal(r.write, true);
  assert.equal(parseArtifact(r.manifest).entries.length, 2);
  assert.equal(r.added[0]?.annotations?.["dev.cosignproject.cosign/signature"], "MEUCIQ==");
});

Deno.test("mergeCosignManifest() refuses what is not a cosign accumulator, with a typed reason", () => {
  const s = sig([1]);
  const docker = { ...s, mediaType: "application/vnd.docker.distribution.manifest.v2+json" };
  const dockerBytes = new TextEncoder().encode(
    dec(s.bytes).replace(
      '"application/vnd.oci.image.manifest.v1+json"',
      '"application/vnd.docker.distribution.manifest.v2+json"',
    ),
  );
  const dockerSig = { ...docker, bytes: dockerBytes, digest: digestOf(dockerBytes) };
  const att = cosignArtifact(IMAGE, "sig", [attestationLayer(IMAGE, "https://x.test/p")]).manifest;
  const garbage = {
    ...s,
    bytes: new TextEncoder().encode("{oops"),
    digest: digestOf(new TextEncoder().encode("{oops")),
  };
  const index = {
    mediaType: "application/vnd.oci.image.index.v1+json",
    bytes: new TextEncoder().encode('{"schemaVersion":2,"manifests":[]}'),
    digest: "",
  };
  const cases: [string, ManifestBytes, ManifestBytes | null, string][] = [
    [`sha256-${IMAGE.slice(7)}.sbom`, s, s, "not-an-accumulator"],
    [`sha256-${IMAGE.slice(7)}`, s, s, "not-an-accumulator"],
    ["v1.0", s, s, "not-an-accumulator"],
    [SIG, dockerSig, s, "media-type-mismatch"],
    [SIG, s, dockerSig, "media-type-mismatch"],
    [SIG, att, s, "not-the-layout"],
    [SIG, s, att, "not-the-layout"],
    [ATT, s, s, "not-the-layout"],
    [SIG, index, { ...index }, "not-the-layout"],
    [SIG, s, garbage, "unreadable"],
  ];
  for (const [tag, source, destination, reason] of cases) {
    assert.throws(
      () => mergeCosignManifest(tag, source, destination),
      (e) => e instanceof MergeRefusedError && e.reason === reason && e.tag === tag,
      `${tag} ${reason}`,
    );
  }
  assert.throws(
    () => mergeCosignManifest(SIG, s, garbage),
    (e) =>
      e instanceof MergeRefusedError && e.cause instanceof ManifestShapeError &&
      /^Cannot merge tag "sha256-[0-9a-f]+\.sig": the destination: /.test(e.message),
  );
});

Deno.test("two Docker-typed .sig manifests merge as well as OCI ones", () => {
  const toDocker = (m: ManifestBytes): ManifestBytes => {
    const bytes = new TextEncoder().encode(
      dec(m.bytes).replace(
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
      ),
    );
    return {
      mediaType: "application/vnd.docker.distribution.manifest.v2+json",
      bytes,
      digest: digestOf(bytes),
    };
  };
  const r = mergeCosignManifest(SIG, toDocker(sig([2])), toDocker(sig([1])));
  assert.equal(r.manifest.mediaType, "application/vnd.docker.distribution.manifest.v2+json");
  assert.equal(parseArtifact(r.manifest).entries.length, 2);
});

Deno.test("a merge whose union would exceed the entry cap is refused, and the tag is left", () => {
  assert.throws(
    () => mergeCosignManifest(SIG, sig([3, 4]), sig([1, 2]), { maxEntries: 3 }),
    (e) => e instanceof MergeRefusedError && e.reason === "too-large",
  );
  assert.equal(mergeCosignManifest(SIG, sig([3]), sig([1, 2]), { maxEntries: 3 }).kept, 2);
});
