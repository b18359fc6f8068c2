/**
 * Signing test images for real, with KeylessSigner against the fake Sigstore services, and
 * pushing their signatures to a registry the way cosign lays them out: a v0.3 bundle as an OCI
 * referrer (through the referrers tag schema on registries without the API), or the legacy
 * `sha256-<hex>.sig` manifest. Every signature made here is verified with @sigstore/verify
 * before it is pushed, so a test's "signed" image is known to be validly signed.
 */
import assert from "node:assert/strict";
import {
  bundleReferrer,
  cosignSignatureManifest,
  cosignSignatureTag,
  type KeylessSigner,
  type OciArtifact,
  type TrustRoot,
  verifyCosignLayer,
  verifyImageBundle,
} from "../../src/sigstore/mod.ts";
import type { ArtifactFixture } from "../fixtures/artifact_bytes.ts";
import { pushArtifact, pushReferrer } from "../fixtures/attachments_push.ts";
import type { ManifestBytes } from "../../src/registry/mod.ts";
import { ALLOWED } from "../sigstore/world.ts";

/** An OciArtifact of src/sigstore as the push helpers' fixture. */
export function asFixture(a: OciArtifact, tag?: string): ArtifactFixture {
  const blobs = a.blobs.map((b) => ({
    digest: b.descriptor.digest,
    size: b.descriptor.size,
    mediaType: b.descriptor.mediaType,
    bytes: b.bytes,
  }));
  return tag === undefined ? { manifest: a.manifest, blobs } : { manifest: a.manifest, blobs, tag };
}

/** Signs `image` and pushes the bundle as its referrer in `url/repo`; returns the bundle. */
export async function pushBundleSignature(
  url: string,
  repo: string,
  image: { manifest: ManifestBytes },
  signer: KeylessSigner,
  trust: TrustRoot,
): Promise<Uint8Array> {
  const { digest, mediaType, bytes } = image.manifest;
  const signed = await signer.signImage(digest);
  const verdict = await verifyImageBundle(signed.bundle, { digest, manifest: bytes }, {
    trust,
    identities: [ALLOWED],
  });
  assert.ok(verdict.ok || verdict.reason === "identity", JSON.stringify(verdict));
  const referrer = bundleReferrer(signed.bundle, { mediaType, digest, size: bytes.length }, {
    created: new Date(0),
  });
  await pushReferrer(url, repo, asFixture(referrer));
  return signed.bundle;
}

/** Signs `image` and pushes the legacy cosign `.sig` manifest to `url/repo`. */
export async function pushCosignSignature(
  url: string,
  repo: string,
  image: { manifest: ManifestBytes },
  signer: KeylessSigner,
  trust: TrustRoot,
): Promise<void> {
  const { digest } = image.manifest;
  const signed = await signer.signImage(digest, { cosignReference: `${url}/${repo}` });
  const layer = signed.cosign!;
  const verdict = await verifyCosignLayer(layer, digest, { trust, identities: [ALLOWED] });
  assert.ok(verdict.ok || verdict.reason === "identity", JSON.stringify(verdict));
  const tag = cosignSignatureTag(digest);
  await pushArtifact(url, repo, asFixture(cosignSignatureManifest([layer]), tag));
}
