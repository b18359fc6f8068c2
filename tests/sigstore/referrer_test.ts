import { deepEqual, equal } from "node:assert/strict";
import { sha256Digest } from "../../src/registry/mod.ts";
import { bundleReferrer, OCI_EMPTY_MEDIA_TYPE } from "../../src/sigstore/mod.ts";

const SUBJECT = {
  mediaType: "application/vnd.oci.image.index.v1+json",
  digest: `sha256:${"c0".repeat(32)}`,
  size: 1234,
};
const BUNDLE = new TextEncoder().encode(
  '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}',
);

Deno.test("bundleReferrer() lays a bundle out as cosign's bundle specification says", () => {
  const artifact = bundleReferrer(BUNDLE, SUBJECT, {
    created: new Date("2024-03-08T18:18:20.406Z"),
  });
  const doc = JSON.parse(new TextDecoder().decode(artifact.manifest.bytes));
  const bundleDigest = sha256Digest(BUNDLE);
  deepEqual(doc, {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json",
    config: {
      mediaType: OCI_EMPTY_MEDIA_TYPE,
      digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
      size: 2,
    },
    layers: [{
      mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
      digest: bundleDigest,
      size: BUNDLE.length,
      annotations: {
        "org.opencontainers.image.title": `${bundleDigest.replace(":", "-")}.sigstore.json`,
      },
    }],
    subject: SUBJECT,
    annotations: {
      "dev.sigstore.bundle.content": "dsse-envelope",
      "dev.sigstore.bundle.predicateType": "https://sigstore.dev/cosign/sign/v1",
      "org.opencontainers.image.created": "2024-03-08T18:18:20Z",
    },
  });
  equal(artifact.manifest.mediaType, "application/vnd.oci.image.manifest.v1+json");
  equal(artifact.manifest.digest, sha256Digest(artifact.manifest.bytes));
  deepEqual(new TextDecoder().decode(artifact.blobs[0]!.bytes), "{}");
  deepEqual(artifact.blobs[1]!.bytes, BUNDLE);
});

Deno.test("bundleReferrer() of a message signature names no predicate type", () => {
  const artifact = bundleReferrer(BUNDLE, SUBJECT, {
    created: new Date(0),
    content: "message-signature",
  });
  const doc = JSON.parse(new TextDecoder().decode(artifact.manifest.bytes));
  deepEqual(doc.annotations, {
    "dev.sigstore.bundle.content": "message-signature",
    "org.opencontainers.image.created": "1970-01-01T00:00:00Z",
  });
});
