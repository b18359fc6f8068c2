import assert from "node:assert/strict";
import {
  type AttachmentKind,
  isSbomMediaType,
  OCI_EMPTY_DIGEST,
  OCI_EMPTY_SIZE,
  referrerKind,
} from "../../src/attach/mod.ts";
import { digestOf } from "../fixtures/images.ts";

Deno.test("the empty descriptor's digest and size are those of {}", () => {
  const empty = new TextEncoder().encode("{}");
  assert.equal(OCI_EMPTY_DIGEST, digestOf(empty));
  assert.equal(OCI_EMPTY_SIZE, empty.length);
});

Deno.test("referrerKind() tells signatures, attestations and SBOMs by artifactType", () => {
  const predicate = "dev.sigstore.bundle.predicateType";
  const cases: [string | undefined, Record<string, string>, AttachmentKind][] = [
    ["application/vnd.dev.sigstore.bundle.v0.3+json", {}, "signature"],
    ["application/vnd.dev.sigstore.bundle.v0.3+json", {
      [predicate]: "https://sigstore.dev/cosign/sign/v1",
    }, "signature"],
    ["application/vnd.dev.sigstore.bundle.v0.3+json", {
      [predicate]: "https://slsa.dev/provenance/v1",
    }, "attestation"],
    ["application/vnd.dev.sigstore.bundle+json;version=0.2", {}, "signature"],
    ["application/vnd.cncf.notary.signature", {}, "signature"],
    ["application/vnd.dev.cosign.simplesigning.v1+json", {}, "signature"],
    ["application/vnd.in-toto+json", {}, "attestation"],
    ["application/vnd.dsse.envelope.v1+json", {}, "attestation"],
    ["application/spdx+json", {}, "sbom"],
    ["text/spdx+json", {}, "sbom"],
    ["text/spdx", {}, "sbom"],
    ["application/vnd.cyclonedx+json", {}, "sbom"],
    ["application/vnd.cyclonedx+xml", {}, "sbom"],
    ["Application/VND.CycloneDX+JSON", {}, "sbom"],
    ["application/vnd.syft+json", {}, "sbom"],
    ["application/vnd.oci.image.config.v1+json", {}, "other"],
    ["application/vnd.example.config.v1+json", {}, "other"],
    ["application/spdxish", {}, "other"],
    ["", {}, "other"],
    [undefined, {}, "other"],
  ];
  for (const [type, annotations, want] of cases) {
    assert.equal(referrerKind(type, annotations), want, `${type} ${JSON.stringify(annotations)}`);
  }
});

Deno.test("isSbomMediaType() takes the SBOM formats of cosign's SBOM spec with any suffix", () => {
  for (const t of ["text/spdx", "text/spdx+xml", "application/vnd.cyclonedx"]) {
    assert.ok(isSbomMediaType(t), t);
  }
  for (const t of ["text/plain", "application/vnd.oci.image.layer.v1.tar", "text/spdxx"]) {
    assert.ok(!isSbomMediaType(t), t);
  }
});
