import assert from "node:assert/strict";
import type { Edge, Manifest, RegistrySpec } from "../../src/manifest/mod.ts";
import {
  type EdgeDecision,
  type ImageAction,
  outcomeOf,
  type Plan,
  trustGate,
  trustLines,
} from "../../src/promote/mod.ts";
import { ContentReader, OCI_MANIFEST } from "../../src/registry/mod.ts";
import { bundleReferrer } from "../../src/sigstore/mod.ts";
import { MemoryBackend } from "../fakes/memory_backend.ts";
import { ALLOWED, withWorld } from "../sigstore/world.ts";

const SRC: RegistrySpec = { name: "src", src: true, pos: { file: "m", line: 1, col: 1 } };
const DST: RegistrySpec = { name: "dst", src: false, pos: { file: "m", line: 2, col: 1 } };
const encoder = new TextEncoder();

function manifest(file: string, mode: "off" | "warn" | "require"): Manifest {
  return {
    file,
    imagesFile: file,
    registries: [SRC, DST],
    images: [],
    policy: { mode, identities: [ALLOWED], pos: { file, line: 3, col: 1 } },
  };
}

function copy(image: string, digest: string, decisions: EdgeDecision[]): ImageAction {
  const tags = decisions.flatMap((d) => d.edge.tag === null ? [] : [d.edge.tag]).sort();
  return {
    kind: "copy",
    src: "src",
    dst: "dst",
    image,
    srcRepo: image,
    dstRepo: image,
    digest,
    tags,
    children: [],
    edges: decisions,
  };
}

function decision(m: Manifest, image: string, digest: string, tag: string): EdgeDecision {
  const edge: Edge = {
    manifest: m,
    src: SRC,
    dst: DST,
    image,
    digest,
    tag,
    pos: { file: m.file, line: 9, col: 1 },
    field: "images[0]",
  };
  return { edge, decision: "copy" };
}

Deno.test("trustGate() refuses only the edges whose policy requires, keeps the others' tags, and warns", async () => {
  await withWorld(async (w) => {
    const b = new MemoryBackend("mem");
    const seed = (repo: string, s: string) => {
      const bytes = encoder.encode(
        JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, s }),
      );
      return { digest: b.seedManifest(repo, OCI_MANIFEST, bytes, ["x"]), size: bytes.length };
    };
    const signed = seed("signed", "signed");
    const referrer = bundleReferrer(
      (await w.signer().signImage(signed.digest)).bundle,
      { mediaType: OCI_MANIFEST, ...signed },
      { created: new Date(0) },
    );
    for (const blob of referrer.blobs) b.seedBlob("signed", blob.bytes);
    b.seedManifest("signed", OCI_MANIFEST, referrer.manifest.bytes);
    const index = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{
        mediaType: OCI_MANIFEST,
        digest: referrer.manifest.digest,
        size: referrer.manifest.bytes.length,
        artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json",
      }],
    };
    b.seedManifest(
      "signed",
      "application/vnd.oci.image.index.v1+json",
      encoder.encode(JSON.stringify(index)),
      [`sha256-${signed.digest.slice(7)}`],
    );
    const bare = seed("bare", "bare");

    const strict = manifest("strict.yaml", "require");
    const lax = manifest("lax.yaml", "warn");
    const off = manifest("off.yaml", "off");
    const bareStrict = decision(strict, "bare", bare.digest, "1.0");
    const bareLax = decision(lax, "bare", bare.digest, "lax");
    const bareOff = decision(off, "bare", bare.digest, "off");
    const good = decision(strict, "signed", signed.digest, "1.0");
    const p: Plan = {
      decisions: [bareStrict, bareLax, bareOff, good],
      actions: [
        copy("bare", bare.digest, [bareStrict, bareLax, bareOff]),
        copy("signed", signed.digest, [good]),
      ],
    };
    const registries = { backends: new Map([["src", b]]), locations: new Map() };
    const settings = { run: { mode: "off" as const, identities: [] }, root: w.trust };
    const gated = await trustGate(p, registries, settings, new ContentReader());

    assert.deepEqual(gated.plan.decisions.map((d) => d.decision), [
      "untrusted",
      "copy",
      "copy",
      "copy",
    ]);
    assert.match(
      gated.plan.decisions[0]!.reason!,
      /^src\/bare@sha256:\w+ fails the signature policy of strict\.yaml \(require\): it has no signature/,
    );
    // The bare image is still copied for the manifests that do not require, with their tags only.
    assert.deepEqual(gated.plan.actions.map((a) => [a.image, a.tags]), [
      ["bare", ["lax", "off"]],
      ["signed", ["1.0"]],
    ]);
    assert.equal(gated.warnings.length, 1);
    assert.match(
      gated.warnings[0]!,
      /of lax\.yaml \(warn\): it has no signature.*; promoted anyway$/,
    );
    assert.deepEqual(trustLines(gated).length, 1);
    assert.match(trustLines(gated)[0]!, /^src\/signed@sha256:\w+ is signed by "https:\/\/github/);
    const outcome = outcomeOf(gated.plan, null, false);
    assert.equal(outcome.ok, false);
    assert.equal(outcome.destinations.get("dst")?.refused, 1);
  });
});

Deno.test("trustGate() leaves a plan without policies alone and reads nothing", async () => {
  const b = new MemoryBackend("mem");
  const m: Manifest = { file: "m", imagesFile: "m", registries: [SRC, DST], images: [] };
  const d = decision(m, "app", `sha256:${"a".repeat(64)}`, "1.0");
  const p: Plan = { decisions: [d], actions: [copy("app", d.edge.digest, [d])] };
  const registries = { backends: new Map([["src", b]]), locations: new Map() };
  const gated = await trustGate(
    p,
    registries,
    { run: { mode: "off", identities: [] } },
    new ContentReader(),
  );
  assert.equal(gated.plan, p);
  assert.deepEqual(gated.images, []);
  assert.equal(b.calls.length, 0);
});
