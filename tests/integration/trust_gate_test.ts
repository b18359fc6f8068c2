/**
 * The trust gate end to end: `cip` as a subprocess against a real docker-registry (no referrers
 * API, so bundles are found through the referrers tag schema), with images signed for real by
 * KeylessSigner against the fake Sigstore services: a v0.3 bundle referrer, a legacy cosign
 * `.sig`, no signature at all, and a signature by an identity the policy does not allow.
 */
import assert from "node:assert/strict";
import { tokenFromValue } from "../../src/sigstore/mod.ts";
import { runCli } from "../cli/run_cli.ts";
import { FAKE_ISSUER, FAKE_SUBJECT } from "../fakes/sigstore.ts";
import {
  type ImageFixture,
  makeImage,
  makeIndex,
  pushImage,
  pushIndex,
} from "../fixtures/images.ts";
import { sigstoreWorld } from "../sigstore/world.ts";
import { pushBundleSignature, pushCosignSignature } from "../trust/signed_images.ts";
import { fetchManifest, tagsOf } from "./promote_fixture.ts";
import { type RegistryProcess, startRegistry } from "./registry_process.ts";

const STRANGER = "https://github.com/someone/else/.github/workflows/x.yaml@refs/heads/main";

interface World {
  reg: RegistryProcess;
  dir: string;
  root: string;
  images: Record<"bundle" | "cosign" | "unsigned" | "stranger", ImageFixture>;
}

async function withWorld(fn: (w: World) => Promise<void>): Promise<void> {
  const reg = await startRegistry();
  const sig = await sigstoreWorld();
  const dir = await Deno.makeTempDir({ prefix: "cip-trust-it-" });
  try {
    const images = {
      bundle: makeImage({ layers: 1, mediaType: "oci", seed: 101 }),
      cosign: makeImage({ layers: 1, mediaType: "docker", seed: 102 }),
      unsigned: makeImage({ layers: 1, mediaType: "oci", seed: 103 }),
      stranger: makeImage({ layers: 1, mediaType: "oci", seed: 104 }),
    };
    for (const [name, image] of Object.entries(images)) {
      await pushImage(reg.url, `staging/${name}`, image, ["1.0"]);
    }
    const signer = sig.signer();
    const other = sig.signer({
      token: tokenFromValue("a stranger's token", sig.fake.token({ sub: STRANGER })),
    });
    await pushBundleSignature(reg.url, "staging/bundle", images.bundle, signer, sig.trust);
    await pushCosignSignature(reg.url, "staging/cosign", images.cosign, signer, sig.trust);
    await pushBundleSignature(reg.url, "staging/stranger", images.stranger, other, sig.trust);
    const root = `${dir}/trusted_root.json`;
    await Deno.writeTextFile(root, JSON.stringify(sig.fake.trustedRoot));
    await fn({ reg, dir, root, images });
  } finally {
    await Promise.all([reg.stop(), sig.close()]);
    await Deno.remove(dir, { recursive: true });
  }
}

function imagesYaml(images: World["images"]): string {
  return Object.entries(images).map(([name, image]) =>
    `- name: ${name}\n  dmap:\n    "${image.manifest.digest}": ["1.0"]\n`
  ).join("");
}

/** A thin directory whose one sub-project requires signatures by the fake's identity. */
async function thinDir(w: World, policy: string): Promise<string> {
  const root = `${w.dir}/thin`;
  await Deno.mkdir(`${root}/manifests/sub`, { recursive: true });
  await Deno.mkdir(`${root}/images/sub`, { recursive: true });
  await Deno.writeTextFile(
    `${root}/manifests/sub/promoter-manifest.yaml`,
    `registries:\n- name: ${w.reg.host}/staging\n  src: true\n- name: ${w.reg.host}/prod\n` +
      policy,
  );
  await Deno.writeTextFile(`${root}/images/sub/images.yaml`, imagesYaml(w.images));
  return root;
}

const REQUIRE = "policy:\n  mode: require\n  identities:\n" +
  `  - subject: ${FAKE_SUBJECT}\n    issuer: ${FAKE_ISSUER}\n`;

async function promoted(w: World, name: keyof World["images"]): Promise<boolean> {
  const bytes = await fetchManifest(w.reg.url, `prod/${name}`, w.images[name].manifest.digest);
  return bytes !== null;
}

Deno.test("a require policy in promoter-manifest.yaml refuses the unsigned and the stranger's image, promotes the signed ones, exits 1", async () => {
  await withWorld(async (w) => {
    const dir = await thinDir(w, REQUIRE);
    const args = ["run", `--thin-manifest-dir=${dir}`, `--trusted-root=${w.root}`];

    const dry = await runCli(args);
    assert.equal(dry.code, 1, dry.stderr);
    assert.match(dry.stdout, /to copy \(2\):\n {4}bundle@.*\n {4}cosign@/);
    assert.match(dry.stdout, /refused \(2\):/);
    assert.match(dry.stdout, /stranger:1\.0 -> .*it is signed by "https:\/\/github\.com\/someone/);
    assert.match(dry.stdout, /unsigned:1\.0 -> .*it has no signature/);
    assert.match(dry.stderr, /Refusing .*\/prod\/unsigned:1\.0: .*fails the signature policy/);
    // The pre-submit check reports the same, on the lines of images.yaml.
    assert.match(dry.stderr, /\[signatures\].*images\.yaml:\d+.*staging\/unsigned@/s);
    assert.match(dry.stderr, /bundle@sha256:\w+ is signed by "https:\/\/github\.com\/kubernetes/);
    assert.equal(await promoted(w, "bundle"), false, "a dry run writes nothing");

    const run = await runCli([...args, "--confirm", `--report=${w.dir}/report.json`]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(await promoted(w, "bundle"), true);
    assert.equal(await promoted(w, "cosign"), true);
    assert.equal(await promoted(w, "unsigned"), false);
    assert.equal(await promoted(w, "stranger"), false);
    // The signature travels with its image: a destination without the referrers API gets the
    // image's referrers-schema index.
    const bundleHex = w.images.bundle.manifest.digest.slice("sha256:".length);
    assert.deepEqual(await tagsOf(w.reg.url, "prod/bundle"), ["1.0", `sha256-${bundleHex}`]);
    const report = JSON.parse(await Deno.readTextFile(`${w.dir}/report.json`));
    const untrusted = report.edges.filter((e: { decision: string }) => e.decision === "untrusted");
    assert.deepEqual(untrusted.map((e: { image: string }) => e.image).sort(), [
      "stranger",
      "unsigned",
    ]);
    assert.ok(untrusted.every((e: { result: string }) => e.result === "refused"));
    const verified = report.signatures.verified;
    assert.deepEqual(verified.map((v: { problem: string | null }) => v.problem === null), [
      true,
      true,
      false,
      false,
    ]);
    assert.equal(verified[0].signer.subject, FAKE_SUBJECT);
  });
});

Deno.test("the flags set the policy: warn promotes everything and names each failure; require with a regexp identity refuses", async () => {
  await withWorld(async (w) => {
    const dir = await thinDir(w, "");
    const identity = [
      "--certificate-identity-regexp=https://github\\.com/kubernetes/.*",
      `--certificate-oidc-issuer=${FAKE_ISSUER}`,
      `--trusted-root=${w.root}`,
    ];
    const strict = await runCli(["run", `--thin-manifest-dir=${dir}`, ...identity]);
    assert.equal(strict.code, 1, strict.stderr);
    assert.match(strict.stdout, /refused \(2\):/);

    const warn = await runCli([
      "run",
      `--thin-manifest-dir=${dir}`,
      ...identity,
      "--signature-policy=warn",
      "--confirm",
    ]);
    assert.equal(warn.code, 0, warn.stderr);
    assert.match(warn.stderr, /WARN.*staging\/unsigned@.*it has no signature.*promoted anyway/);
    assert.match(warn.stderr, /WARN.*staging\/stranger@.*promoted anyway/);
    for (const name of ["bundle", "cosign", "unsigned", "stranger"] as const) {
      assert.equal(await promoted(w, name), true, name);
    }
  });
});

Deno.test("a manifest's policy cannot lower the run's mode: --signature-policy=require beats mode off", async () => {
  await withWorld(async (w) => {
    const dir = await thinDir(w, "policy:\n  mode: off\n");
    const run = await runCli([
      "run",
      `--thin-manifest-dir=${dir}`,
      "--signature-policy=require",
      `--certificate-identity=${FAKE_SUBJECT}`,
      `--certificate-oidc-issuer=${FAKE_ISSUER}`,
      `--trusted-root=${w.root}`,
    ]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /refused \(2\):/);
  });
});

Deno.test("the children of a signed index, listed as tagless digests, are covered by the index's signature", async () => {
  const reg = await startRegistry();
  const sig = await sigstoreWorld();
  const dir = await Deno.makeTempDir({ prefix: "cip-trust-index-" });
  try {
    const kids = ["amd64", "arm64"].map((architecture, i) =>
      makeImage({
        layers: 1,
        mediaType: "oci",
        seed: 120 + i,
        platform: { architecture, os: "linux" },
      })
    );
    const index = makeIndex(kids, "oci");
    await pushIndex(reg.url, "staging/multi", index, ["v1"]);
    await pushBundleSignature(reg.url, "staging/multi", index, sig.signer(), sig.trust);
    const root = `${dir}/trusted_root.json`;
    await Deno.writeTextFile(root, JSON.stringify(sig.fake.trustedRoot));
    const dmap = [
      `    "${index.manifest.digest}": ["v1"]\n`,
      ...kids.map((k) => `    "${k.manifest.digest}": []\n`),
    ].join("");
    await Deno.writeTextFile(
      `${dir}/m.yaml`,
      `registries:\n- name: ${reg.host}/staging\n  src: true\n- name: ${reg.host}/prod\n` +
        `policy:\n  mode: require\n  identities:\n` +
        `  - subject: ${FAKE_SUBJECT}\n    issuer: ${FAKE_ISSUER}\n` +
        `images:\n- name: multi\n  dmap:\n${dmap}`,
    );
    const args = ["run", `--manifest=${dir}/m.yaml`, `--trusted-root=${root}`];
    const dry = await runCli(args);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, /through its index sha256:/);
    const run = await runCli([...args, "--confirm"]);
    assert.equal(run.code, 0, run.stderr);
    for (const d of [index.manifest.digest, ...kids.map((k) => k.manifest.digest)]) {
      assert.notEqual(await fetchManifest(reg.url, "prod/multi", d), null, d);
    }

    // An unsigned index does not cover its child: both are refused.
    const other = makeIndex([makeImage({ layers: 1, mediaType: "oci", seed: 130 })], "oci");
    await pushIndex(reg.url, "staging/multi", other, ["v2"]);
    const text = await Deno.readTextFile(`${dir}/m.yaml`);
    await Deno.writeTextFile(
      `${dir}/m.yaml`,
      text + `    "${other.manifest.digest}": ["v2"]\n` +
        `    "${other.children[0]!.manifest.digest}": []\n`,
    );
    const refused = await runCli(args);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stdout, /refused \(2\):/);
  } finally {
    await Promise.all([reg.stop(), sig.close()]);
    await Deno.remove(dir, { recursive: true });
  }
});
