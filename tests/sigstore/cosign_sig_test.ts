import { deepEqual, equal, ok } from "node:assert/strict";
import { Buffer } from "node:buffer";
import { sha256Digest } from "../../src/registry/mod.ts";
import {
  COSIGN_ANNOTATIONS,
  type CosignLayer,
  cosignLayer,
  cosignSignatureLayers,
  cosignSignatureManifest,
  cosignSignatureTag,
  SIMPLE_SIGNING_MEDIA_TYPE,
  simpleSigningPayload,
  type Verdict,
  verifyCosignLayer,
  verifyImageBundle,
} from "../../src/sigstore/mod.ts";
import { FAKE_ISSUER, FAKE_SUBJECT } from "../fakes/sigstore.ts";
import { ALLOWED, DIGEST, OTHER_DIGEST, type SigstoreWorld, withWorld } from "./world.ts";

const REFERENCE = "registry.k8s.io/pause";

async function signedLayer(w: SigstoreWorld, reference = REFERENCE): Promise<CosignLayer> {
  const signed = await w.signer().signImage(DIGEST, { cosignReference: reference });
  ok(signed.cosign);
  return signed.cosign;
}

function reason(v: Verdict): string {
  if (v.ok) throw new Error("expected a refusal");
  return v.reason;
}

Deno.test("signImage() with a cosign reference makes a .sig layer as cosign lays it out, and it verifies", async () => {
  await withWorld(async (w) => {
    const layer = await signedLayer(w);
    equal(layer.descriptor.mediaType, SIMPLE_SIGNING_MEDIA_TYPE);
    equal(layer.descriptor.digest, sha256Digest(layer.payload));
    const payload = JSON.parse(new TextDecoder().decode(layer.payload));
    deepEqual(payload, {
      critical: {
        identity: { "docker-reference": REFERENCE },
        image: { "docker-manifest-digest": DIGEST },
        type: "cosign container image signature",
      },
      optional: null,
    });
    const a = layer.descriptor.annotations!;
    ok(a[COSIGN_ANNOTATIONS.certificate]!.startsWith("-----BEGIN CERTIFICATE-----"));
    ok(a[COSIGN_ANNOTATIONS.chain]!.includes("BEGIN CERTIFICATE"));
    const rekor = JSON.parse(a[COSIGN_ANNOTATIONS.bundle]!);
    equal(JSON.parse(Buffer.from(rekor.Payload.body, "base64").toString()).kind, "hashedrekord");
    ok(rekor.SignedEntryTimestamp.length > 0);
    const v = await verifyCosignLayer(layer, DIGEST, { trust: w.trust, identities: [ALLOWED] });
    ok(v.ok, JSON.stringify(v));
    deepEqual(v.identity, { subject: FAKE_SUBJECT, issuer: FAKE_ISSUER });
    equal(v.format, "cosign-sig");
  });
});

Deno.test("cosignSignatureManifest() holds the layers in order under sha256-<hex>.sig, and its layers read back", async () => {
  await withWorld(async (w) => {
    const first = await signedLayer(w);
    const second = await signedLayer(w, "us-docker.pkg.dev/k8s-artifacts-prod/images/pause");
    const again = await signedLayer(w); // another signature of the same payload
    const artifact = cosignSignatureManifest([first, second, again]);
    equal(cosignSignatureTag(DIGEST), `sha256-${DIGEST.slice(7)}.sig`);
    equal(artifact.manifest.digest, sha256Digest(artifact.manifest.bytes));
    const doc = JSON.parse(new TextDecoder().decode(artifact.manifest.bytes));
    equal(doc.mediaType, "application/vnd.oci.image.manifest.v1+json");
    equal(doc.config.mediaType, "application/vnd.oci.image.config.v1+json");
    deepEqual(cosignSignatureLayers(artifact.manifest.bytes), [
      first.descriptor,
      second.descriptor,
      again.descriptor,
    ]);
    // Each blob once: the two signatures of one payload share its blob.
    deepEqual(artifact.blobs.map((b) => b.descriptor.digest), [
      doc.config.digest,
      first.descriptor.digest,
      second.descriptor.digest,
    ]);
    for (const blob of artifact.blobs) equal(blob.descriptor.digest, sha256Digest(blob.bytes));
  });
});

Deno.test("verifyCosignLayer() refuses a signature of another image", async () => {
  await withWorld(async (w) => {
    const layer = await signedLayer(w);
    const v = await verifyCosignLayer(layer, OTHER_DIGEST, {
      trust: w.trust,
      identities: [ALLOWED],
    });
    equal(reason(v), "not-this-image");
  });
});

Deno.test("verifyCosignLayer() refuses a payload changed to name another image", async () => {
  await withWorld(async (w) => {
    const layer = await signedLayer(w);
    const forged = cosignLayer(
      simpleSigningPayload(OTHER_DIGEST, REFERENCE),
      layer.descriptor.annotations!,
    );
    const v = await verifyCosignLayer(forged, OTHER_DIGEST, {
      trust: w.trust,
      identities: [ALLOWED],
    });
    equal(reason(v), "untrusted");
  });
});

Deno.test("verifyCosignLayer() refuses a payload that does not match its layer digest", async () => {
  await withWorld(async (w) => {
    const layer = await signedLayer(w);
    const v = await verifyCosignLayer(
      { descriptor: layer.descriptor, payload: simpleSigningPayload(DIGEST, "elsewhere") },
      DIGEST,
      { trust: w.trust, identities: [ALLOWED] },
    );
    equal(reason(v), "malformed");
  });
});

Deno.test("verifyCosignLayer() refuses a signature without its Rekor bundle or certificate", async () => {
  await withWorld(async (w) => {
    const layer = await signedLayer(w);
    const without = (key: string) => {
      const annotations = { ...layer.descriptor.annotations! };
      delete annotations[key];
      return cosignLayer(layer.payload, annotations);
    };
    const options = { trust: w.trust, identities: [ALLOWED] };
    const noRekor = await verifyCosignLayer(without(COSIGN_ANNOTATIONS.bundle), DIGEST, options);
    equal(reason(noRekor), "untrusted");
    ok(!noRekor.ok && noRekor.message.includes("Rekor"));
    const keyed = await verifyCosignLayer(without(COSIGN_ANNOTATIONS.certificate), DIGEST, options);
    ok(!keyed.ok && keyed.message.includes("key"));
  });
});

Deno.test("verifyCosignLayer() refuses a signer the policy does not allow", async () => {
  await withWorld(async (w) => {
    const layer = await signedLayer(w);
    const v = await verifyCosignLayer(layer, DIGEST, {
      trust: w.trust,
      identities: [{ subject: { exact: "someone@example.com" }, issuer: ALLOWED.issuer }],
    });
    equal(reason(v), "identity");
  });
});

Deno.test("a message-signature bundle (v0.1, built from the specification) verifies against the manifest bytes", async () => {
  await withWorld(async (w) => {
    // A cosign layer's signature is a message signature over its payload: take the payload as
    // the "manifest" and lay the same material out as a v0.1 bundle.
    const layer = await signedLayer(w);
    const a = layer.descriptor.annotations!;
    const rekor = JSON.parse(a[COSIGN_ANNOTATIONS.bundle]!);
    const body = JSON.parse(Buffer.from(rekor.Payload.body, "base64").toString());
    const pem = a[COSIGN_ANNOTATIONS.certificate]!.replace(/-----[A-Z ]+-----|\s/g, "");
    const bundle = {
      mediaType: "application/vnd.dev.sigstore.bundle+json;version=0.1",
      verificationMaterial: {
        x509CertificateChain: { certificates: [{ rawBytes: pem }] },
        tlogEntries: [{
          logIndex: String(rekor.Payload.logIndex),
          logId: { keyId: Buffer.from(rekor.Payload.logID, "hex").toString("base64") },
          kindVersion: { kind: body.kind, version: body.apiVersion },
          integratedTime: String(rekor.Payload.integratedTime),
          inclusionPromise: { signedEntryTimestamp: rekor.SignedEntryTimestamp },
          canonicalizedBody: rekor.Payload.body,
        }],
      },
      messageSignature: {
        messageDigest: {
          algorithm: "SHA2_256",
          digest: Buffer.from(layer.descriptor.digest.slice(7), "hex").toString("base64"),
        },
        signature: a[COSIGN_ANNOTATIONS.signature],
      },
    };
    const image = { digest: layer.descriptor.digest, manifest: layer.payload };
    const options = { trust: w.trust, identities: [ALLOWED] };
    const v = await verifyImageBundle(JSON.stringify(bundle), image, options);
    ok(v.ok, JSON.stringify(v));
    const withoutBytes = await verifyImageBundle(
      JSON.stringify(bundle),
      { digest: image.digest },
      options,
    );
    equal(reason(withoutBytes), "untrusted");
    const other = await verifyImageBundle(JSON.stringify(bundle), { digest: DIGEST }, options);
    equal(reason(other), "not-this-image");
  });
});

Deno.test("verifyCosignLayer() refuses unreadable annotations as malformed instead of throwing", async () => {
  await withWorld(async (w) => {
    const layer = await signedLayer(w);
    const options = { trust: w.trust, identities: [ALLOWED] };
    const cases: Record<string, string>[] = [
      { [COSIGN_ANNOTATIONS.bundle]: "{not json" },
      {
        [COSIGN_ANNOTATIONS.bundle]: JSON.stringify({
          SignedEntryTimestamp: "",
          Payload: { body: "e30=" },
        }),
      },
      { [COSIGN_ANNOTATIONS.certificate]: "not a certificate" },
    ];
    for (const change of cases) {
      const broken = cosignLayer(layer.payload, { ...layer.descriptor.annotations!, ...change });
      equal(
        reason(await verifyCosignLayer(broken, DIGEST, options)),
        "malformed",
        JSON.stringify(change),
      );
    }
  });
});
