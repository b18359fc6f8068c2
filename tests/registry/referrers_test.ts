/** Backend.listReferrers over HTTP (the fake registry, with and without the API) and OCI layouts. */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ContentReader,
  HttpBackend,
  OciDirBackend,
  plainHttpFetch,
} from "../../src/registry/mod.ts";
import {
  type ArtifactFixture,
  bundleReferrer,
  referrerDescriptor,
  sbomReferrer,
  subjectOf,
} from "../fixtures/attachments.ts";
import { makeImage, pushImage } from "../fixtures/images.ts";
import { tempDir } from "../fixtures/temp_dirs.ts";
import { FakeRegistry } from "../fakes/registry.ts";
import { pushArtifact } from "../fixtures/attachments.ts";

const IMAGE = makeImage({ layers: 1, mediaType: "oci", seed: 51 });
const D = IMAGE.manifest.digest;

function http(fake: FakeRegistry): HttpBackend {
  return new HttpBackend({
    host: fake.host,
    fetch: plainHttpFetch(fake.fetch),
    insecureHosts: [fake.host],
  });
}

async function seeded(referrers: boolean | { pageSize: number }) {
  const fake = new FakeRegistry({ host: "reg.test", referrers });
  const opts = { fetch: fake.fetch };
  await pushImage("http://reg.test", "app", IMAGE, ["v1"], opts);
  const refs = [bundleReferrer(subjectOf(IMAGE.manifest)), sbomReferrer(subjectOf(IMAGE.manifest))];
  for (const r of refs) await pushArtifact("http://reg.test", "app", r, [r.manifest.digest], opts);
  return { fake, refs };
}

Deno.test("HttpBackend.listReferrers lists every page of the referrers API", async () => {
  const { fake, refs } = await seeded({ pageSize: 1 });
  const listed = await http(fake).listReferrers("app", D);
  assert.deepEqual(listed, refs.map((r) => referrerDescriptor(r.manifest)));
  assert.equal(fake.count({ path: /\/referrers\// }), 2);
});

Deno.test("HttpBackend.listReferrers says null (no API) when the registry answers 404", async () => {
  const { fake } = await seeded(false);
  assert.equal(await http(fake).listReferrers("app", D), null);
});

Deno.test("ContentReader asks a backend without the referrers API only once", async () => {
  const { fake } = await seeded(false);
  const b = http(fake);
  const reader = new ContentReader();
  assert.equal(await reader.referrers(b, "app", D), null);
  assert.equal(await reader.referrers(b, "other", D), null);
  assert.equal(fake.count({ path: /\/referrers\// }), 1);
});

Deno.test("OciDirBackend.listReferrers finds the index.json manifests whose subject is the digest", async () => {
  const root = join(await tempDir("ocidir-referrers-"), "reg");
  const b = new OciDirBackend(root, { fsync: false });
  const put = async (a: ArtifactFixture, ref: string) => {
    for (const blob of a.blobs) {
      await b.putBlob("app", blob, ReadableStream.from([blob.bytes]));
    }
    await b.putManifest("app", ref, a.manifest);
  };
  assert.deepEqual(await b.listReferrers("app", D), []);
  await put({ manifest: IMAGE.manifest, blobs: [IMAGE.config, ...IMAGE.layers] }, "v1");
  const refs = [bundleReferrer(subjectOf(IMAGE.manifest)), sbomReferrer(subjectOf(IMAGE.manifest))];
  for (const r of refs) await put(r, r.manifest.digest);
  assert.deepEqual(
    await b.listReferrers("app", D),
    refs.map((r) => referrerDescriptor(r.manifest)),
  );
  assert.deepEqual(await b.listReferrers("app", refs[0]!.manifest.digest), []);
});
