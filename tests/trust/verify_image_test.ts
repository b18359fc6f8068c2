import assert from "node:assert/strict";
import {
  blobOf,
  bundleReferrer,
  cosignLayer,
  cosignSignatureManifest,
  cosignSignatureTag,
  loadTrustRoot,
  type OciArtifact,
  type TrustPolicy,
} from "../../src/sigstore/mod.ts";
import { ContentReader, OCI_INDEX, OCI_MANIFEST, sha256Digest } from "../../src/registry/mod.ts";
import { trustProblem, verifyImage } from "../../src/trust/mod.ts";
import { MemoryBackend } from "../fakes/memory_backend.ts";
import { ALLOWED, sigstoreWorld, withWorld } from "../sigstore/world.ts";

const REPO = "staging/app";
const POLICY: TrustPolicy = { mode: "require", identities: [ALLOWED] };
const encoder = new TextEncoder();

/** An image manifest (no blobs needed: verification reads only signatures). */
function seedImage(b: MemoryBackend, seed: string) {
  const bytes = encoder.encode(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, seed }));
  const digest = b.seedManifest(REPO, OCI_MANIFEST, bytes, [seed]);
  return { mediaType: OCI_MANIFEST, digest, size: bytes.length, bytes };
}

/** Seeds an artifact's blobs and manifest (under `tag` too, when given). */
function seedArtifact(b: MemoryBackend, a: OciArtifact, tag?: string): void {
  for (const blob of a.blobs) b.seedBlob(REPO, blob.bytes);
  b.seedManifest(REPO, a.manifest.mediaType, a.manifest.bytes, tag ? [tag] : []);
}

/** Seeds a referrer and lists it in the referrers tag schema index of `subject`. */
function seedReferrer(b: MemoryBackend, subject: string, a: OciArtifact, artifactType: string) {
  seedArtifact(b, a);
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [{
      mediaType: a.manifest.mediaType,
      digest: a.manifest.digest,
      size: a.manifest.bytes.length,
      artifactType,
    }],
  };
  b.seedManifest(REPO, OCI_INDEX, encoder.encode(JSON.stringify(index)), [
    `sha256-${subject.slice(7)}`,
  ]);
}

const BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json";

Deno.test("verifyImage() counts a bundle written by @sigstore/cli (committed fixture) attached as a referrer", async () => {
  const dir = new URL("../../testdata/sigstore/cli/", import.meta.url);
  const facts = JSON.parse(await Deno.readTextFile(new URL("fixture.json", dir)));
  const root = await loadTrustRoot(
    await Deno.readTextFile(new URL("trusted_root.json", dir)),
    "the fixture's root",
  );
  const bundle = await Deno.readFile(new URL("bundle.json", dir));
  const b = new MemoryBackend("mem");
  const subject = { mediaType: OCI_MANIFEST, digest: facts.digest, size: 100 };
  seedReferrer(b, facts.digest, bundleReferrer(bundle, subject, { created: new Date(0) }), BUNDLE);
  const policy: TrustPolicy = {
    mode: "require",
    identities: [{ subject: { exact: facts.subject }, issuer: { exact: facts.issuer } }],
  };
  const t = await verifyImage(
    { backend: b, repo: REPO, digest: facts.digest },
    policy,
    root,
    new ContentReader(),
  );
  assert.equal(trustProblem(t), null, JSON.stringify(t));
  assert.deepEqual(t.verified?.identity, { subject: facts.subject, issuer: facts.issuer });
});

Deno.test("verifyImage() finds bundles through a backend's referrers API, and cosign .sig tags", async () => {
  await withWorld(async (w) => {
    class WithApi extends MemoryBackend {
      listed: string[] = [];
      override listReferrers(_repo: string, digest: string): Promise<unknown[] | null> {
        this.listed.push(digest);
        return Promise.resolve(this.referrers.get(digest) ?? []);
      }
      referrers = new Map<string, unknown[]>();
    }
    const b = new WithApi("mem");
    const signer = w.signer();
    const image = seedImage(b, "api");
    const signed = await signer.signImage(image.digest);
    const referrer = bundleReferrer(signed.bundle, image, { created: new Date(0) });
    seedArtifact(b, referrer);
    b.referrers.set(image.digest, [{
      mediaType: OCI_MANIFEST,
      digest: referrer.manifest.digest,
      size: referrer.manifest.bytes.length,
      artifactType: BUNDLE,
    }]);
    const t = await verifyImage(
      { backend: b, repo: REPO, digest: image.digest },
      POLICY,
      w.trust,
      new ContentReader(),
    );
    assert.equal(trustProblem(t), null, JSON.stringify(t));
    assert.equal(t.verified?.format, "sigstore-bundle");
    // The API is asked for the image's referrers (and then for those of the signature).
    assert.equal(b.listed[0], image.digest);

    const other = seedImage(b, "cosign");
    const layer = (await signer.signImage(other.digest, { cosignReference: "r/app" })).cosign!;
    seedArtifact(b, cosignSignatureManifest([layer]), cosignSignatureTag(other.digest));
    const c = await verifyImage(
      { backend: b, repo: REPO, digest: other.digest },
      POLICY,
      w.trust,
      new ContentReader(),
    );
    assert.equal(c.verified?.format, "cosign-sig", JSON.stringify(c));
  });
});

Deno.test("verifyImage() refuses a bundle of another image, a tampered cosign payload and a referrer without a bundle", async () => {
  await withWorld(async (w) => {
    const b = new MemoryBackend("mem");
    const signer = w.signer();
    const image = seedImage(b, "target");
    const elsewhere = seedImage(b, "elsewhere");
    // A valid signature of another image, attached to this one.
    const stolen = await signer.signImage(elsewhere.digest);
    seedReferrer(
      b,
      image.digest,
      bundleReferrer(stolen.bundle, image, { created: new Date(0) }),
      BUNDLE,
    );
    const t = await verifyImage(
      { backend: b, repo: REPO, digest: image.digest },
      POLICY,
      w.trust,
      new ContentReader(),
    );
    assert.equal(t.verified, undefined);
    assert.equal(t.refused[0]?.reason, "not-this-image");
    assert.match(trustProblem(t)!, /^its signature does not count: /);

    // A cosign layer whose payload was changed after signing (annotations kept).
    const tampered = seedImage(b, "tampered");
    const layer = (await signer.signImage(tampered.digest, { cosignReference: "r/app" })).cosign!;
    const payload = encoder.encode(
      new TextDecoder().decode(layer.payload).replace("r/app", "r/evil"),
    );
    const forged = cosignLayer(payload, layer.descriptor.annotations ?? {});
    seedArtifact(b, cosignSignatureManifest([forged]), cosignSignatureTag(tampered.digest));
    const f = await verifyImage(
      { backend: b, repo: REPO, digest: tampered.digest },
      POLICY,
      w.trust,
      new ContentReader(),
    );
    assert.equal(f.refused[0]?.reason, "untrusted", JSON.stringify(f));

    // A referrer that says it is a bundle but holds none.
    const empty = seedImage(b, "empty");
    const config = blobOf("application/vnd.oci.empty.v1+json", encoder.encode("{}"));
    const doc = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: BUNDLE,
      config: config.descriptor,
      layers: [],
      subject: { mediaType: OCI_MANIFEST, digest: empty.digest, size: empty.size },
    };
    const bytes = encoder.encode(JSON.stringify(doc));
    seedReferrer(b, empty.digest, {
      manifest: { mediaType: OCI_MANIFEST, digest: sha256Digest(bytes), bytes },
      blobs: [config],
    }, BUNDLE);
    const e = await verifyImage(
      { backend: b, repo: REPO, digest: empty.digest },
      POLICY,
      w.trust,
      new ContentReader(),
    );
    assert.equal(e.refused[0]?.reason, "malformed", JSON.stringify(e));
    assert.match(trustProblem(e)!, /holds no Sigstore bundle layer/);
  });
});

Deno.test("verifyImage() says when there is no signature, and when the registry fails", async () => {
  const w = await sigstoreWorld();
  try {
    const b = new MemoryBackend("mem");
    const image = seedImage(b, "bare");
    const none = await verifyImage(
      { backend: b, repo: REPO, digest: image.digest },
      POLICY,
      w.trust,
      new ContentReader(),
    );
    assert.equal(
      trustProblem(none),
      "it has no signature (no cosign .sig tag, no Sigstore bundle referrer)",
    );
    const broken = new MemoryBackend("broken");
    broken.fault = (call) => call.op === "listTags" ? new Error("connection reset") : undefined;
    const t = await verifyImage(
      { backend: broken, repo: REPO, digest: image.digest },
      POLICY,
      w.trust,
      new ContentReader(),
    );
    assert.match(trustProblem(t)!, /^its signatures cannot be read: .*connection reset/);
  } finally {
    await w.close();
  }
});

Deno.test("verifyImage() verifies an image once per run when given the run's map", async () => {
  const w = await sigstoreWorld();
  try {
    const b = new MemoryBackend("mem");
    const image = seedImage(b, "once");
    const done = new Map<string, Promise<unknown>>();
    const at = { backend: b, repo: REPO, digest: image.digest };
    const reader = new ContentReader();
    const first = await verifyImage(at, POLICY, w.trust, reader, done);
    const calls = b.calls.length;
    assert.equal(await verifyImage(at, POLICY, w.trust, reader, done), first);
    assert.equal(b.calls.length, calls);
    const other: TrustPolicy = {
      mode: "warn",
      identities: [{ ...ALLOWED, subject: { regexp: ".*" } }],
    };
    assert.notEqual(await verifyImage(at, other, w.trust, reader, done), first);
  } finally {
    await w.close();
  }
});
