import assert from "node:assert/strict";
import {
  artifactIndexReferrer,
  attestationReferrer,
  bundleReferrer,
  EMPTY_BLOB,
  pushArtifact,
  pushReferrer,
  referrerArtifact,
  referrerDescriptor,
  sbomReferrer,
  subjectOf,
} from "../fixtures/attachments.ts";
import { makeImage, pushImage } from "../fixtures/images.ts";
import { FakeRegistry } from "./registry.ts";

const URL_ = "https://reg.test";
const IMAGE = makeImage({ layers: 1, mediaType: "oci", seed: 41 });
const SUBJECT = subjectOf(IMAGE.manifest);
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

async function referrers(fake: FakeRegistry, path: string) {
  const res = await fake.fetch(`${URL_}${path}`);
  const body = res.status === 200 ? await res.json() : await res.text();
  return { res, body };
}

Deno.test("a fake without the referrers API answers 404 and sends no OCI-Subject", async () => {
  const fake = new FakeRegistry({ host: "reg.test" });
  await pushImage(URL_, "app", IMAGE, ["v1"], { fetch: fake.fetch });
  const headers = await pushArtifact(URL_, "app", bundleReferrer(SUBJECT), undefined, {
    fetch: fake.fetch,
  });
  assert.equal(headers.get("OCI-Subject"), null);
  const { res } = await referrers(fake, `/v2/app/referrers/${IMAGE.manifest.digest}`);
  assert.equal(res.status, 404);
});

Deno.test("the referrers API lists each manifest with subject, as the spec describes it", async () => {
  const fake = new FakeRegistry({ host: "reg.test", referrers: true });
  await pushImage(URL_, "app", IMAGE, ["v1"], { fetch: fake.fetch });
  const custom = { ...EMPTY_BLOB, mediaType: "application/vnd.example.config.v1+json" };
  const sbom = sbomReferrer(SUBJECT);
  const pushed = [
    bundleReferrer(SUBJECT),
    sbom,
    attestationReferrer(SUBJECT),
    referrerArtifact({ subject: SUBJECT, config: custom }),
    artifactIndexReferrer(SUBJECT, "application/vnd.example.sboms", [sbom]),
  ];
  for (const r of pushed) {
    const headers = await pushArtifact(URL_, "app", r, undefined, { fetch: fake.fetch });
    assert.equal(headers.get("OCI-Subject"), IMAGE.manifest.digest);
  }
  const { res, body } = await referrers(fake, `/v2/app/referrers/${IMAGE.manifest.digest}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("Content-Type"), OCI_INDEX);
  assert.equal(res.headers.get("OCI-Filters-Applied"), null);
  assert.deepEqual(body, {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: pushed.map((r) => referrerDescriptor(r.manifest)),
  });
  assert.equal(body.manifests[3]?.artifactType, custom.mediaType);
  assert.equal(body.manifests[4]?.artifactType, "application/vnd.example.sboms");
});

Deno.test("the referrers API filters by artifactType and says so", async () => {
  const fake = new FakeRegistry({ host: "reg.test", referrers: true });
  const sbom = sbomReferrer(SUBJECT);
  for (const r of [bundleReferrer(SUBJECT), sbom]) {
    await pushArtifact(URL_, "app", r, undefined, { fetch: fake.fetch });
  }
  const base = `/v2/app/referrers/${IMAGE.manifest.digest}`;
  const hit = await referrers(
    fake,
    `${base}?artifactType=${encodeURIComponent("application/spdx+json")}`,
  );
  assert.equal(hit.res.headers.get("OCI-Filters-Applied"), "artifactType");
  assert.deepEqual(hit.body.manifests, [referrerDescriptor(sbom.manifest)]);
  const miss = await referrers(fake, `${base}?artifactType=application/x-none`);
  assert.equal(miss.res.headers.get("OCI-Filters-Applied"), "artifactType");
  assert.deepEqual(miss.body.manifests, []);
});

Deno.test("a referrer is accepted before its subject exists, and listed once it does", async () => {
  const fake = new FakeRegistry({ host: "reg.test", referrers: true });
  const r = bundleReferrer(SUBJECT);
  const headers = await pushArtifact(URL_, "app", r, undefined, { fetch: fake.fetch });
  assert.equal(headers.get("OCI-Subject"), IMAGE.manifest.digest);
  assert.equal(fake.manifest("app", IMAGE.manifest.digest), undefined);
  const { body } = await referrers(fake, `/v2/app/referrers/${IMAGE.manifest.digest}`);
  assert.deepEqual(body.manifests, [referrerDescriptor(r.manifest)]);
  await pushImage(URL_, "app", IMAGE, ["v1"], { fetch: fake.fetch });
  const after = await referrers(fake, `/v2/app/referrers/${IMAGE.manifest.digest}`);
  assert.deepEqual(after.body, body);
});

Deno.test("the referrers API answers an empty list, never 404, and 400 for a bad digest", async () => {
  const fake = new FakeRegistry({ host: "reg.test", referrers: true });
  await pushArtifact(URL_, "other", bundleReferrer(SUBJECT), undefined, { fetch: fake.fetch });
  for (const repo of ["app", "nowhere"]) {
    const { res, body } = await referrers(fake, `/v2/${repo}/referrers/${IMAGE.manifest.digest}`);
    assert.equal(res.status, 200, repo);
    assert.deepEqual(body.manifests, [], "referrers of another repository are not listed");
  }
  const bad = await referrers(fake, "/v2/app/referrers/sha256:abc");
  assert.equal(bad.res.status, 400);
  assert.match(bad.body, /DIGEST_INVALID/);
});

Deno.test("the referrers API pages long lists with Link, keeping the filter", async () => {
  const fake = new FakeRegistry({ host: "reg.test", referrers: { pageSize: 2 } });
  const sigs = [1, 2, 3].map((signer) => bundleReferrer(SUBJECT, signer));
  for (const r of sigs) await pushArtifact(URL_, "app", r, undefined, { fetch: fake.fetch });
  const type = encodeURIComponent("application/vnd.dev.sigstore.bundle.v0.3+json");
  const first = await referrers(
    fake,
    `/v2/app/referrers/${IMAGE.manifest.digest}?artifactType=${type}`,
  );
  assert.deepEqual(
    first.body.manifests,
    sigs.slice(0, 2).map((r) => referrerDescriptor(r.manifest)),
  );
  const link = /<([^>]+)>; rel="next"/.exec(first.res.headers.get("Link") ?? "")?.[1];
  assert.ok(link?.includes(`artifactType=${type}`), link);
  const second = await referrers(fake, link!);
  assert.deepEqual(second.body.manifests, [referrerDescriptor(sigs[2]!.manifest)]);
  assert.equal(second.res.headers.get("Link"), null);
});

Deno.test("pushReferrer() keeps the referrers tag schema where the API is absent, only there", async () => {
  const without = new FakeRegistry({ host: "reg.test" });
  const a = bundleReferrer(SUBJECT, 1);
  const b = sbomReferrer(SUBJECT);
  const tag = `sha256-${IMAGE.manifest.digest.slice(7)}`;
  assert.equal((await pushReferrer(URL_, "app", a, { fetch: without.fetch })).ociSubject, null);
  await pushReferrer(URL_, "app", b, { fetch: without.fetch });
  const again = await pushReferrer(URL_, "app", a, { fetch: without.fetch });
  assert.equal(again.index, undefined, "an entry already listed is not added twice");
  const index = JSON.parse(new TextDecoder().decode(without.manifest("app", tag)!.bytes));
  assert.deepEqual(index.manifests, [a, b].map((r) => referrerDescriptor(r.manifest)));
  const withApi = new FakeRegistry({ host: "reg.test", referrers: true });
  const pushed = await pushReferrer(URL_, "app", a, { fetch: withApi.fetch });
  assert.equal(pushed.ociSubject, IMAGE.manifest.digest);
  assert.equal(withApi.manifest("app", tag), undefined);
});
