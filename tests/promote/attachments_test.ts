/**
 * Attachments travel with their images, through the whole promotion pipeline and the real HTTP
 * client, against the in-process fake registry with and without the OCI 1.1 referrers API.
 */
import assert from "node:assert/strict";
import { Logger } from "../../src/log.ts";
import type { Edge } from "../../src/manifest/types.ts";
import { promote, type Promotion, type RegistryAccess } from "../../src/promote/mod.ts";
import { attachmentCounts } from "../../src/promote/attachments_report.ts";
import { HttpBackend } from "../../src/registry/http/backend.ts";
import { plainHttpFetch } from "../../src/registry/http/http_fetch.ts";
import { readRepositories } from "../../src/registry/inventory.ts";
import {
  attestationLayer,
  bundleReferrer,
  cosignArtifact,
  cosignSignatures,
  pushArtifact,
  pushReferrer,
  sbomLayer,
  sbomReferrer,
  subjectOf,
} from "../fixtures/attachments.ts";
import { makeImage, makeIndex, pushImage, pushIndex } from "../fixtures/images.ts";
import { FakeRegistry } from "../fakes/registry.ts";
import { recordingPolicy } from "../fakes/retry_policy.ts";
import { edge, manifestOf } from "./edges_fixture.ts";

const SRC = "stage.test";
const DST = "prod.test";
const IMAGE = makeImage({ layers: 2, mediaType: "oci", seed: 81 });
const D = IMAGE.manifest.digest;
const HEX = D.slice(7);

function world(opts: { srcApi?: boolean; dstApi?: boolean; extension?: boolean } = {}) {
  const extension = opts.extension ?? false;
  const src = new FakeRegistry({ host: SRC, referrers: opts.srcApi ?? false, extension });
  const dst = new FakeRegistry({ host: DST, referrers: opts.dstApi ?? false, extension });
  const route: typeof fetch = (input, init) => {
    const req = input instanceof Request && init === undefined ? input : new Request(input, init);
    return new URL(req.url).host === SRC ? src.fetch(req) : dst.fetch(req);
  };
  const http = plainHttpFetch(route);
  const backends = new Map([
    [SRC, new HttpBackend({ host: SRC, fetch: http, insecureHosts: [SRC] })],
    [DST, new HttpBackend({ host: DST, fetch: http, insecureHosts: [DST] })],
  ]);
  const m = manifestOf(SRC, [DST]);
  const run = async (edges: Edge[], confirm: boolean, attachments = true): Promise<Promotion> => {
    const access: RegistryAccess = {
      open: (name) => Promise.resolve({ backend: backends.get(name)!, prefix: "" }),
      readRepositories,
      policy: recordingPolicy([]),
    };
    return await promote(edges, access, {
      confirm,
      log: new Logger("error", () => {}),
      now: () => 0,
      terminal: false,
      attachments,
    });
  };
  const push = { fetch: src.fetch };
  const at = (f: FakeRegistry) => `http://${f.host}`;
  return { src, dst, m, run, push, at };
}

function manifestAt(f: FakeRegistry, repo: string, ref: string): string | undefined {
  const m = f.manifest(repo, ref);
  return m && new TextDecoder().decode(m.bytes);
}

function writes(f: FakeRegistry): number {
  return f.count({ method: "PUT" }) + f.count({ method: "POST" }) + f.count({ method: "PATCH" });
}

Deno.test("promote() copies cosign .sig, .att and .sbom tags with their image, byte for byte, and a rerun writes nothing", async () => {
  const w = world();
  await pushImage(w.at(w.src), "app", IMAGE, ["1.0"], w.push);
  const sig = cosignSignatures(D, [1, 2]);
  const att = cosignArtifact(D, "att", [attestationLayer(D, "https://slsa.dev/provenance/v1")]);
  const sbom = cosignArtifact(D, "sbom", [sbomLayer("spdx")]);
  for (const a of [sig, att, sbom]) await pushArtifact(w.at(w.src), "app", a, undefined, w.push);
  const edges = [edge(w.m, DST, "app", D, "1.0")];

  const dry = await w.run(edges, false);
  assert.equal(dry.ok, true);
  assert.deepEqual(
    dry.attachments!.actions.map((a) => [a.attachment.kind, a.attachment.tag, a.decision]),
    [
      ["attestation", `sha256-${HEX}.att`, "copy"],
      ["sbom", `sha256-${HEX}.sbom`, "copy"],
      ["signature", `sha256-${HEX}.sig`, "copy"],
    ],
  );
  assert.equal(writes(w.dst), 0);

  const done = await w.run(edges, true);
  assert.equal(done.ok, true);
  for (const a of [sig, att, sbom]) {
    assert.deepEqual(w.dst.manifest("app", a.tag!)?.bytes, a.manifest.bytes);
    for (const b of a.blobs) assert.ok(w.dst.hasBlob("app", b.digest), b.digest);
  }
  assert.equal(attachmentCounts(done.attachments!, done.attached).get(DST)?.copied, 3);

  // The image is there now, and so are its attachment tags: the listings tell, nothing is read.
  const before = writes(w.dst);
  const reads = w.src.count();
  const again = await w.run(edges, true);
  assert.equal(again.ok, true);
  assert.equal(writes(w.dst), before);
  assert.deepEqual(again.attachments!.actions, []);
  assert.equal(w.src.count() - reads, 1, "one request: the source's tag listing");
});

Deno.test("promote() merges a destination's .sig with the source's, as the extended listings show them differ: both signatures kept", async () => {
  const w = world({ extension: true });
  await pushImage(w.at(w.src), "app", IMAGE, ["1.0"], w.push);
  await pushArtifact(w.at(w.src), "app", cosignSignatures(D, [1]), undefined, w.push);
  const onDst = { fetch: w.dst.fetch };
  await pushImage(w.at(w.dst), "app", IMAGE, ["1.0"], onDst);
  await pushArtifact(w.at(w.dst), "app", cosignSignatures(D, [7]), undefined, onDst);
  const edges = [edge(w.m, DST, "app", D, "1.0")];

  const dry = await w.run(edges, false);
  assert.deepEqual(dry.attachments!.actions.map((a) => a.decision), ["merge"]);
  const done = await w.run(edges, true);
  assert.equal(done.ok, true);
  assert.equal(attachmentCounts(done.attachments!, done.attached).get(DST)?.merged, 1);
  const merged = JSON.parse(manifestAt(w.dst, "app", `sha256-${HEX}.sig`)!);
  const signers = merged.layers.map((l: { annotations: Record<string, string> }) =>
    l.annotations["dev.cosignproject.cosign/signature"]
  );
  const signatureOf = (signer: number) =>
    JSON.parse(new TextDecoder().decode(cosignSignatures(D, [signer]).manifest.bytes))
      .layers[0].annotations["dev.cosignproject.cosign/signature"];
  // The destination's signature first, then the source's: nothing dropped.
  const expected = [signatureOf(7), signatureOf(1)];
  assert.deepEqual(signers, expected);

  const before = writes(w.dst);
  const again = await w.run(edges, true);
  assert.equal(again.ok, true);
  assert.equal(writes(w.dst), before);
  assert.deepEqual(again.attachments!.actions.map((a) => a.decision), ["present"]);
});

Deno.test("promote() over plain listings takes a held image's attachment tags that both sides have as carried", async () => {
  const w = world();
  await pushImage(w.at(w.src), "app", IMAGE, ["1.0"], w.push);
  await pushArtifact(w.at(w.src), "app", cosignSignatures(D, [1]), undefined, w.push);
  const onDst = { fetch: w.dst.fetch };
  await pushImage(w.at(w.dst), "app", IMAGE, ["1.0"], onDst);
  await pushArtifact(w.at(w.dst), "app", cosignSignatures(D, [7]), undefined, onDst);
  const dry = await w.run([edge(w.m, DST, "app", D, "1.0")], false);
  assert.deepEqual(dry.attachments!.actions, []);
  assert.equal(w.src.count({ method: "GET", path: /\/manifests\/sha256-/ }), 0);
});

Deno.test("promote() refuses to move a destination's .sbom tag, which does not accumulate", async () => {
  const w = world({ extension: true });
  await pushImage(w.at(w.src), "app", IMAGE, ["1.0"], w.push);
  await pushArtifact(
    w.at(w.src),
    "app",
    cosignArtifact(D, "sbom", [sbomLayer("spdx")]),
    undefined,
    w.push,
  );
  const onDst = { fetch: w.dst.fetch };
  await pushImage(w.at(w.dst), "app", IMAGE, ["1.0"], onDst);
  const other = cosignArtifact(D, "sbom", [sbomLayer("cyclonedx")]);
  await pushArtifact(w.at(w.dst), "app", other, undefined, onDst);
  const done = await w.run([edge(w.m, DST, "app", D, "1.0")], true);
  assert.equal(done.ok, false);
  assert.equal(attachmentCounts(done.attachments!, done.attached).get(DST)?.refused, 1);
  assert.deepEqual(w.dst.manifest("app", `sha256-${HEX}.sbom`)?.bytes, other.manifest.bytes);
});

Deno.test("promote() copies referrers found by the API to a registry without it, and writes its referrers index", async () => {
  const w = world({ srcApi: true });
  await pushImage(w.at(w.src), "app", IMAGE, ["1.0"], w.push);
  const subject = subjectOf(IMAGE.manifest);
  const sig = bundleReferrer(subject, 1);
  const sbom = sbomReferrer(subject);
  const onSbom = bundleReferrer(subjectOf(sbom.manifest), 2);
  for (const r of [sig, sbom, onSbom]) await pushReferrer(w.at(w.src), "app", r, w.push);
  const edges = [edge(w.m, DST, "app", D, "1.0")];

  const done = await w.run(edges, true);
  assert.equal(done.ok, true);
  assert.deepEqual(
    done.attachments!.actions.map((a) => [a.attachment.kind, a.attachment.depth]),
    [["signature", 1], ["sbom", 1], ["signature", 2]],
  );
  for (const r of [sig, sbom, onSbom]) {
    assert.deepEqual(w.dst.manifest("app", r.manifest.digest)?.bytes, r.manifest.bytes);
  }
  const index = JSON.parse(manifestAt(w.dst, "app", `sha256-${HEX}`)!);
  assert.deepEqual(index.manifests.map((d: { digest: string }) => d.digest), [
    sig.manifest.digest,
    sbom.manifest.digest,
  ]);
  const nested = JSON.parse(manifestAt(w.dst, "app", `sha256-${sbom.manifest.digest.slice(7)}`)!);
  assert.deepEqual(nested.manifests.map((d: { digest: string }) => d.digest), [
    onSbom.manifest.digest,
  ]);

  const before = writes(w.dst);
  assert.equal((await w.run(edges, true)).ok, true);
  assert.equal(writes(w.dst), before);
});

Deno.test("promote() takes referrers from the tag schema and pushes them with subject only to a registry with the API", async () => {
  const w = world({ dstApi: true });
  await pushImage(w.at(w.src), "app", IMAGE, ["1.0"], w.push);
  const sig = bundleReferrer(subjectOf(IMAGE.manifest), 1);
  await pushReferrer(w.at(w.src), "app", sig, w.push);
  const done = await w.run([edge(w.m, DST, "app", D, "1.0")], true);
  assert.equal(done.ok, true);
  assert.deepEqual(w.dst.manifest("app", sig.manifest.digest)?.bytes, sig.manifest.bytes);
  assert.equal(w.dst.manifest("app", `sha256-${HEX}`), undefined);
  assert.deepEqual(done.attached!.indexes, []);
});

Deno.test("promote() finds signatures of an index's children, and copies them after the index", async () => {
  const w = world();
  const kids = [1, 2].map((s) => makeImage({ layers: 1, mediaType: "oci", seed: 90 + s }));
  const index = makeIndex(kids, "oci");
  await pushIndex(w.at(w.src), "multi", index, ["v1"], w.push);
  const kid = kids[0]!.manifest.digest;
  const sig = cosignSignatures(kid, [3]);
  await pushArtifact(w.at(w.src), "multi", sig, undefined, w.push);
  const done = await w.run([edge(w.m, DST, "multi", index.manifest.digest, "v1")], true);
  assert.equal(done.ok, true);
  assert.deepEqual(w.dst.manifest("multi", sig.tag!)?.bytes, sig.manifest.bytes);
  assert.equal(done.attachments!.actions[0]!.root, index.manifest.digest);
});

Deno.test("promote() without attachments leaves them behind and reads nothing for them", async () => {
  const w = world({ srcApi: true });
  await pushImage(w.at(w.src), "app", IMAGE, ["1.0"], w.push);
  await pushArtifact(w.at(w.src), "app", cosignSignatures(D), undefined, w.push);
  const done = await w.run([edge(w.m, DST, "app", D, "1.0")], true, false);
  assert.equal(done.ok, true);
  assert.equal(done.attachments, null);
  assert.equal(w.dst.manifest("app", `sha256-${HEX}.sig`), undefined);
  assert.equal(w.src.count({ path: /\/referrers\/|\/tags\/list/ }), 0);
});

Deno.test("promote() asks the referrers API only for digests it copies, and nothing more when none is attached", async () => {
  const w = world({ srcApi: true });
  const other = makeImage({ layers: 1, mediaType: "oci", seed: 82 });
  await pushImage(w.at(w.src), "app", IMAGE, ["1.0"], w.push);
  await pushImage(w.at(w.src), "app", other, ["2.0"], w.push);
  await pushImage(w.at(w.dst), "app", other, ["2.0"], { fetch: w.dst.fetch });
  const edges = [
    edge(w.m, DST, "app", D, "1.0"),
    edge(w.m, DST, "app", other.manifest.digest, "2.0"),
  ];
  const dry = await w.run(edges, false);
  assert.deepEqual(dry.attachments!.actions, []);
  assert.equal(w.src.count({ path: /\/referrers\// }), 1);
  assert.equal(w.src.count({ path: /\/tags\/list/ }), 1);
});

Deno.test("promote() gives an image promoted before its signature the signature on a later run", async () => {
  const w = world();
  await pushImage(w.at(w.src), "app", IMAGE, ["1.0"], w.push);
  const edges = [edge(w.m, DST, "app", D, "1.0")];
  assert.equal((await w.run(edges, true, false)).ok, true);
  const sig = cosignSignatures(D, [4]);
  await pushArtifact(w.at(w.src), "app", sig, undefined, w.push);
  const later = await w.run(edges, true);
  assert.equal(later.ok, true);
  assert.deepEqual(later.attachments!.actions.map((a) => a.decision), ["copy"]);
  assert.deepEqual(w.dst.manifest("app", sig.tag!)?.bytes, sig.manifest.bytes);
  assert.equal(
    w.src.count({ path: /\/referrers\// }),
    0,
    "no referrers API asked for a held image",
  );
});
