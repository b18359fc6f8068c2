import assert from "node:assert/strict";
import {
  attachmentTagsByDigest,
  cosignTag,
  isAccumulatorTag,
  parseAttachmentTag,
  referrersTag,
} from "../../src/attach/mod.ts";

const HEX = "97fc222cee7991b5b061d4d4afdb5f3428fcb0c9054e1690313786befa1e4e36";
const DIGEST = `sha256:${HEX}`;
const OTHER = `sha256:${"0a".repeat(32)}`;

Deno.test("cosignTag() names the tags of cosign's specification example", () => {
  assert.equal(cosignTag(DIGEST, "sig"), `sha256-${HEX}.sig`);
  assert.equal(cosignTag(DIGEST, "att"), `sha256-${HEX}.att`);
  assert.equal(cosignTag(DIGEST, "sbom"), `sha256-${HEX}.sbom`);
});

Deno.test("referrersTag() names the distribution spec's <alg>-<ref> tag", () => {
  assert.equal(referrersTag(DIGEST), `sha256-${HEX}`);
});

Deno.test("cosignTag() and referrersTag() refuse what is not a sha256 digest", () => {
  for (const bad of ["latest", `sha512:${HEX}`, `sha256:${HEX.toUpperCase()}`, `sha256:${HEX}0`]) {
    assert.throws(() => cosignTag(bad, "sig"), TypeError, bad);
    assert.throws(() => referrersTag(bad), TypeError, bad);
  }
});

Deno.test("parseAttachmentTag() tells which digest a tag attaches to, and how", () => {
  const cases: [string, ReturnType<typeof parseAttachmentTag>][] = [
    [`sha256-${HEX}.sig`, {
      scheme: "cosign-tag",
      tag: `sha256-${HEX}.sig`,
      digest: DIGEST,
      suffix: "sig",
      kind: "signature",
    }],
    [`sha256-${HEX}.att`, {
      scheme: "cosign-tag",
      tag: `sha256-${HEX}.att`,
      digest: DIGEST,
      suffix: "att",
      kind: "attestation",
    }],
    [`sha256-${HEX}.sbom`, {
      scheme: "cosign-tag",
      tag: `sha256-${HEX}.sbom`,
      digest: DIGEST,
      suffix: "sbom",
      kind: "sbom",
    }],
    [`sha256-${HEX}`, { scheme: "referrers-tag", tag: `sha256-${HEX}`, digest: DIGEST }],
    ["v1.2.3", null],
    ["latest", null],
    [`sha256-${HEX}.sig.bak`, null],
    [`sha256-${HEX}.SIG`, null],
    [`sha256-${HEX.slice(1)}.sig`, null],
    [`sha256-${HEX.toUpperCase()}.sig`, null],
    [`sha512-${HEX}`, null],
    [`sha256-${HEX}.att2`, null],
    [`xsha256-${HEX}.sig`, null],
  ];
  for (const [tag, want] of cases) assert.deepEqual(parseAttachmentTag(tag), want, tag);
});

Deno.test("parseAttachmentTag() reads back every tag cosignTag() and referrersTag() make", () => {
  for (const suffix of ["sig", "att", "sbom"] as const) {
    const t = parseAttachmentTag(cosignTag(OTHER, suffix));
    assert.equal(t?.digest, OTHER);
    assert.equal(t?.scheme === "cosign-tag" && t.suffix, suffix);
  }
  assert.equal(parseAttachmentTag(referrersTag(OTHER))?.digest, OTHER);
});

Deno.test("isAccumulatorTag() holds for .sig, .att and referrers-schema tags only", () => {
  const cases: [string, boolean][] = [
    [cosignTag(DIGEST, "sig"), true],
    [cosignTag(DIGEST, "att"), true],
    [referrersTag(DIGEST), true],
    [cosignTag(DIGEST, "sbom"), false],
    ["v1.0", false],
    ["latest", false],
  ];
  for (const [tag, want] of cases) assert.equal(isAccumulatorTag(tag), want, tag);
});

Deno.test("attachmentTagsByDigest() groups a tag list by the digest each tag attaches to", () => {
  const tags = [
    "v1",
    cosignTag(OTHER, "sig"),
    cosignTag(DIGEST, "sig"),
    referrersTag(DIGEST),
    cosignTag(DIGEST, "att"),
    "latest",
  ];
  const by = attachmentTagsByDigest(tags);
  assert.deepEqual([...by.keys()].sort(), [OTHER, DIGEST].sort());
  assert.deepEqual(by.get(DIGEST)?.map((t) => t.tag), [
    referrersTag(DIGEST),
    cosignTag(DIGEST, "att"),
    cosignTag(DIGEST, "sig"),
  ]);
  assert.deepEqual(by.get(OTHER)?.map((t) => t.tag), [cosignTag(OTHER, "sig")]);
});
