/** Attachments between OCI image layout directories, as source and as destination. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Logger } from "../../src/log.ts";
import { promote, type RegistryAccess } from "../../src/promote/mod.ts";
import { readRepositories } from "../../src/registry/inventory.ts";
import { type Backend, OciDirBackend } from "../../src/registry/mod.ts";
import {
  type ArtifactFixture,
  bundleReferrer,
  cosignSignatures,
  referrerDescriptor,
  subjectOf,
} from "../fixtures/attachments.ts";
import { makeImage } from "../fixtures/images.ts";
import { tempDir } from "../fixtures/temp_dirs.ts";
import { MemoryBackend } from "../fakes/memory_backend.ts";
import { recordingPolicy } from "../fakes/retry_policy.ts";
import { edge, manifestOf } from "./edges_fixture.ts";

const IMAGE = makeImage({ layers: 1, mediaType: "oci", seed: 83 });
const D = IMAGE.manifest.digest;

async function put(b: Backend, repo: string, a: ArtifactFixture, ref: string) {
  for (const blob of a.blobs) await b.putBlob(repo, blob, ReadableStream.from([blob.bytes]));
  await b.putManifest(repo, ref, a.manifest);
}

async function run(backends: Record<string, Backend>, src: string, dst: string) {
  const access: RegistryAccess = {
    open: (name) => Promise.resolve({ backend: backends[name]!, prefix: "" }),
    readRepositories,
    policy: recordingPolicy([]),
  };
  const m = manifestOf(src, [dst]);
  return await promote([edge(m, dst, "app", D, "1.0")], access, {
    confirm: true,
    log: new Logger("error", () => {}),
    now: () => 0,
    terminal: false,
  });
}

Deno.test("promote() carries a cosign tag and a referrer from an OCI layout to a registry and into another layout", async () => {
  const root = await tempDir("cip-attach-ocidir-");
  const stage = new OciDirBackend(join(root, "stage"), { fsync: false });
  const image = { manifest: IMAGE.manifest, blobs: [IMAGE.config, ...IMAGE.layers] };
  await put(stage, "app", image, "1.0");
  const sig = cosignSignatures(D, [1]);
  await put(stage, "app", sig, sig.tag!);
  const bundle = bundleReferrer(subjectOf(IMAGE.manifest), 2);
  await put(stage, "app", bundle, bundle.manifest.digest);

  // Layout to a registry without the referrers API: the referrer goes with an index.
  const reg = new MemoryBackend("reg");
  const first = await run(
    { "ocidir://stage": stage, "reg.test": reg },
    "ocidir://stage",
    "reg.test",
  );
  assert.equal(first.ok, true);
  assert.equal(reg.tagged("app", sig.tag!), sig.manifest.digest);
  assert.deepEqual(reg.manifestBytes("app", bundle.manifest.digest), bundle.manifest.bytes);
  const index = reg.manifestBytes("app", reg.tagged("app", `sha256-${D.slice(7)}`)!)!;
  assert.deepEqual(JSON.parse(new TextDecoder().decode(index)).manifests, [
    referrerDescriptor(bundle.manifest),
  ]);

  // Registry to a layout: the layout lists the referrer by its subject, no index tag needed.
  const prod = new OciDirBackend(join(root, "prod"), { fsync: false });
  const second = await run({ "reg.test": reg, "ocidir://prod": prod }, "reg.test", "ocidir://prod");
  assert.equal(second.ok, true);
  assert.deepEqual((await prod.getManifest("app", sig.tag!))?.bytes, sig.manifest.bytes);
  assert.deepEqual(await prod.listReferrers("app", D), [referrerDescriptor(bundle.manifest)]);
  assert.equal(await prod.headManifest("app", `sha256-${D.slice(7)}`), null);
  assert.equal(
    (await run({ "reg.test": reg, "ocidir://prod": prod }, "reg.test", "ocidir://prod"))
      .attachments!.actions.every((a) => a.decision === "present"),
    true,
  );
});

Deno.test("promote() merges a .sig tag in an OCI layout: the layout's signature kept, the source's added", async () => {
  const root = await tempDir("cip-attach-ocidir-merge-");
  const image = { manifest: IMAGE.manifest, blobs: [IMAGE.config, ...IMAGE.layers] };
  // A layout lists its tags with their digests, so a source .sig that differs is seen.
  const reg = new OciDirBackend(join(root, "stage"), { fsync: false });
  await put(reg, "app", image, "1.0");
  const ours = cosignSignatures(D, [1]);
  await put(reg, "app", ours, ours.tag!);
  const prod = new OciDirBackend(join(root, "prod"), { fsync: false });
  await put(prod, "app", image, "1.0");
  const theirs = cosignSignatures(D, [7]);
  await put(prod, "app", theirs, theirs.tag!);
  const backends = { "reg.test": reg, "ocidir://prod": prod };
  const done = await run(backends, "reg.test", "ocidir://prod");
  assert.equal(done.ok, true);
  assert.equal(done.attached!.outcomes.get(done.attachments!.actions[0]!)?.result, "merged");
  const merged = JSON.parse(
    new TextDecoder().decode((await prod.getManifest("app", ours.tag!))!.bytes),
  );
  const layers = (a: ArtifactFixture) =>
    JSON.parse(new TextDecoder().decode(a.manifest.bytes)).layers;
  assert.deepEqual(merged.layers, [...layers(theirs), ...layers(ours)]);
  const again = await run(backends, "reg.test", "ocidir://prod");
  assert.deepEqual(again.attachments!.actions.map((a) => a.decision), ["present"]);
});
