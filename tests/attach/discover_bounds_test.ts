import assert from "node:assert/strict";
import {
  AttachError,
  AttachLimitError,
  type AttachmentReader,
  discoverAttachments,
} from "../../src/attach/mod.ts";
import type { Descriptor, ManifestBytes } from "../../src/registry/api.ts";
import {
  bundleReferrer,
  cosignSignatures,
  referrersTagIndex,
  sbomReferrer,
  subjectOf,
} from "../fixtures/attachments.ts";
import { digestOf, makeImage } from "../fixtures/images.ts";

const IMAGE = makeImage({ layers: 1, mediaType: "oci", seed: 61 }).manifest;
const ROOT: Descriptor = subjectOf(IMAGE);

/** A reader over maps, answering exactly what a test puts in it (hostile answers included). */
class MapReader implements AttachmentReader {
  tags: string[] = [];
  manifests = new Map<string, ManifestBytes>();
  /** Referrers by digest; null: the registry has no referrers API. */
  referrers: Map<string, unknown[]> | null = new Map();
  calls: string[] = [];

  put(m: ManifestBytes, tag?: string): this {
    this.manifests.set(m.digest, m);
    if (tag !== undefined) {
      this.manifests.set(tag, m);
      this.tags.push(tag);
    }
    return this;
  }

  listTags(): Promise<string[]> {
    this.calls.push("tags");
    return Promise.resolve([...this.tags]);
  }

  getManifest(_repo: string, ref: string): Promise<ManifestBytes | null> {
    this.calls.push(`manifest ${ref}`);
    return Promise.resolve(this.manifests.get(ref) ?? null);
  }

  getReferrers(_repo: string, digest: string): Promise<readonly unknown[] | null> {
    this.calls.push(`referrers ${digest}`);
    return Promise.resolve(this.referrers === null ? null : this.referrers.get(digest) ?? []);
  }
}

function entry(m: ManifestBytes): Descriptor {
  return subjectOf(m);
}

Deno.test("a cycle through cosign tags ends, each manifest searched once", async () => {
  const sig = cosignSignatures(IMAGE.digest);
  const reader = new MapReader().put(IMAGE).put(sig.manifest, sig.tag);
  reader.put(IMAGE, `sha256-${sig.manifest.digest.slice(7)}.sig`);
  const g = await discoverAttachments(reader, "app", [ROOT]);
  assert.deepEqual(g.attachments.map((a) => [a.subject, a.manifest.digest, a.depth]), [
    [IMAGE.digest, sig.manifest.digest, 1],
    [sig.manifest.digest, IMAGE.digest, 2],
  ]);
  assert.deepEqual(reader.calls.filter((c) => c.startsWith("referrers")), [
    `referrers ${IMAGE.digest}`,
    `referrers ${sig.manifest.digest}`,
  ]);
});

Deno.test("discovery passes over what a registry lists wrongly, and says why", async () => {
  const other = makeImage({ layers: 1, mediaType: "oci", seed: 62 }).manifest;
  const good = bundleReferrer(ROOT, 1).manifest;
  const elsewhere = bundleReferrer(subjectOf(other), 2).manifest;
  const gone = bundleReferrer(ROOT, 3).manifest;
  const broken = {
    ...bundleReferrer(ROOT, 4).manifest,
    mediaType: "application/vnd.docker.distribution.manifest.v1+json",
  };
  const reader = new MapReader().put(IMAGE).put(good).put(elsewhere).put(broken);
  reader.tags.push(`sha256-${IMAGE.digest.slice(7)}.att`);
  reader.referrers!.set(IMAGE.digest, [
    entry(good),
    entry(good),
    entry(IMAGE),
    entry(elsewhere),
    entry(gone),
    entry(broken),
    { mediaType: "text/plain", digest: "sha256:nope", size: 1 },
    "not a descriptor",
  ]);
  const g = await discoverAttachments(reader, "app", [ROOT]);
  assert.deepEqual(g.attachments.map((a) => a.manifest.digest), [good.digest]);
  const notes = g.notes.map((n) => n.detail);
  assert.deepEqual(notes, [
    `the tag sha256-${IMAGE.digest.slice(7)}.att was listed but is not there`,
    `the referrer ${IMAGE.digest} does not name it as its subject`,
    `the referrer ${elsewhere.digest} does not name it as its subject`,
    `the referrer ${gone.digest} is listed but not in the repository`,
    `Cannot read manifest ${broken.digest}: its media type "${broken.mediaType}" cannot hold attachments`,
    'a referrer is passed over: a descriptor\'s digest "sha256:nope" is not sha256:<64 hex>',
    "a referrer is passed over: a descriptor is not an object",
  ]);
  assert.ok(g.notes.every((n) => n.digest === IMAGE.digest));
});

Deno.test("a referrers tag that holds no index gives no referrers, as the spec says", async () => {
  const tag = `sha256-${IMAGE.digest.slice(7)}`;
  const reader = new MapReader().put(IMAGE).put(cosignSignatures(IMAGE.digest).manifest, tag);
  reader.referrers = null;
  const g = await discoverAttachments(reader, "app", [ROOT]);
  assert.deepEqual(g.attachments, []);
  assert.equal(g.referrersApi, "absent");
  assert.match(
    g.notes[0]?.detail ?? "",
    /referrers tag sha256-.* holds application\/vnd\.oci\.image\.manifest\.v1\+json/,
  );
});

Deno.test("a malformed referrers index or attachment is noted, not taken", async () => {
  const tag = `sha256-${IMAGE.digest.slice(7)}`;
  const bytes = new TextEncoder().encode('{"schemaVersion":2,"manifests":[{"digest":1}]}');
  const bad = {
    mediaType: "application/vnd.oci.image.index.v1+json",
    digest: digestOf(bytes),
    bytes,
  };
  const reader = new MapReader().put(IMAGE).put(bad, tag);
  reader.referrers = null;
  const g = await discoverAttachments(reader, "app", [ROOT]);
  assert.deepEqual(g.attachments, []);
  assert.match(g.notes[0]?.detail ?? "", /Cannot read manifest sha256:.*manifests\[0\]/);
  assert.equal(g.referrersIndexes.size, 0);
});

Deno.test("bytes that do not match their digest stop discovery", async () => {
  const sig = cosignSignatures(IMAGE.digest);
  const forged = { ...sig.manifest, digest: digestOf(IMAGE.bytes) };
  const reader = new MapReader().put(IMAGE);
  reader.manifests.set(sig.tag!, forged);
  reader.tags.push(sig.tag!);
  await assert.rejects(
    discoverAttachments(reader, "app", [ROOT]),
    (e) => e instanceof AttachError && /served bytes of digest/.test(e.message),
  );
  const swapped = new MapReader().put(IMAGE);
  const sbom = sbomReferrer(ROOT).manifest;
  swapped.manifests.set(sbom.digest, { ...IMAGE, digest: sbom.digest });
  swapped.referrers!.set(IMAGE.digest, [entry(sbom)]);
  await assert.rejects(discoverAttachments(swapped, "app", [ROOT]), AttachError);
});

Deno.test("discovery stops with AttachLimitError past its bounds on count and depth", async () => {
  const many = [1, 2, 3, 4].map((n) => bundleReferrer(ROOT, n).manifest);
  const wide = new MapReader().put(IMAGE);
  for (const m of many) wide.put(m);
  wide.referrers!.set(IMAGE.digest, many.map(entry));
  await assert.rejects(
    discoverAttachments(wide, "app", [ROOT], { maxManifests: 3 }),
    (e) => e instanceof AttachLimitError && e.limit === "manifests" && e.max === 3,
  );
  assert.equal(
    (await discoverAttachments(wide, "app", [ROOT], { maxManifests: 4 })).attachments.length,
    4,
  );

  const deep = new MapReader().put(IMAGE);
  let subject = IMAGE;
  for (let i = 0; i < 3; i++) {
    const sig = cosignSignatures(subject.digest, [i + 1]);
    deep.put(sig.manifest, sig.tag);
    subject = sig.manifest;
  }
  await assert.rejects(
    discoverAttachments(deep, "app", [ROOT], { maxDepth: 2 }),
    (e) =>
      e instanceof AttachLimitError && e.limit === "depth" &&
      /nested more than 2 deep/.test(e.message),
  );
  const g = await discoverAttachments(deep, "app", [ROOT], { maxDepth: 3 });
  assert.deepEqual(g.attachments.map((a) => a.depth), [1, 2, 3]);
});

Deno.test("discovery of nothing reads the tag list only", async () => {
  const reader = new MapReader();
  const g = await discoverAttachments(reader, "app", []);
  assert.deepEqual(g.reads, { tagLists: 1, manifests: 0, referrers: 0 });
  assert.equal(g.referrersApi, "unknown");
  await assert.rejects(
    discoverAttachments(reader, "app", [{ ...ROOT, digest: "latest" }]),
    TypeError,
  );
});

Deno.test("a referrers index lists entries the API would, so both schemes find the same", async () => {
  const sbom = sbomReferrer(ROOT);
  const sig = bundleReferrer(ROOT);
  const api = new MapReader().put(IMAGE).put(sbom.manifest).put(sig.manifest);
  api.referrers!.set(IMAGE.digest, [sbom, sig].map((r) => entry(r.manifest)));
  const tagged = new MapReader().put(IMAGE).put(sbom.manifest).put(sig.manifest);
  const index = referrersTagIndex(ROOT, [sbom, sig]);
  tagged.put(index.manifest, index.tag);
  tagged.referrers = null;
  const a = await discoverAttachments(api, "app", [ROOT]);
  const b = await discoverAttachments(tagged, "app", [ROOT]);
  const strip = (g: typeof a) => g.attachments.map(({ via: _, ...rest }) => rest);
  assert.deepEqual(strip(a), strip(b));
  assert.deepEqual(a.attachments.map((x) => x.kind), ["sbom", "signature"]);
});
