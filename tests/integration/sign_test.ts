/**
 * `--sign` end to end: `cip` as a subprocess promotes into a real docker-registry and signs what
 * it promoted against the fake Sigstore services; every signature it stores is verified here
 * with @sigstore/verify (through src/sigstore), a rerun signs nothing, and the identity token
 * never appears in what `cip` prints.
 */
import assert from "node:assert/strict";
import {
  cosignSignatureLayers,
  cosignSignatureTag,
  verifyCosignLayer,
  verifyImageBundle,
} from "../../src/sigstore/mod.ts";
import { runCli } from "../cli/run_cli.ts";
import { makeImage, pushImage } from "../fixtures/images.ts";
import { ALLOWED, type SigstoreWorld, sigstoreWorld } from "../sigstore/world.ts";
import { fetchManifest, storedBundle as storedImageBundle, tagsOf } from "./promote_fixture.ts";
import { type RegistryProcess, startRegistry } from "./registry_process.ts";

const IMAGE = makeImage({ layers: 2, mediaType: "oci", seed: 201 });
const DIGEST = IMAGE.manifest.digest;
const HEX = DIGEST.slice(7);

async function withWorld(
  fn: (reg: RegistryProcess, sig: SigstoreWorld, dir: string, args: string[]) => Promise<void>,
) {
  const reg = await startRegistry();
  const sig = await sigstoreWorld();
  const dir = await Deno.makeTempDir({ prefix: "cip-sign-it-" });
  try {
    await pushImage(reg.url, "staging/app", IMAGE, ["1.0"]);
    await Deno.writeTextFile(`${dir}/trusted_root.json`, JSON.stringify(sig.fake.trustedRoot));
    await Deno.writeTextFile(`${dir}/token`, sig.fake.token());
    await Deno.writeTextFile(
      `${dir}/m.yaml`,
      `registries:\n- name: ${reg.host}/staging\n  src: true\n- name: ${reg.host}/prod\n` +
        `- name: ${reg.host}/mirror\nimages:\n- name: app\n  dmap:\n    "${DIGEST}": ["1.0"]\n`,
    );
    const args = [
      "run",
      `--manifest=${dir}/m.yaml`,
      "--sign",
      `--trusted-root=${dir}/trusted_root.json`,
      `--identity-token=${dir}/token`,
      `--fulcio-url=${sig.fake.url}`,
      `--rekor-url=${sig.fake.url}`,
    ];
    await fn(reg, sig, dir, args);
  } finally {
    await Promise.all([reg.stop(), sig.close()]);
    await Deno.remove(dir, { recursive: true });
  }
}

/** The bundle stored for DIGEST in `repo`. */
function storedBundle(url: string, repo: string): Promise<Uint8Array> {
  return storedImageBundle(url, repo, DIGEST);
}

Deno.test("--sign: a dry run lists, --confirm signs once and stores the bundle in every destination, a rerun or a new tag signs nothing again", async () => {
  await withWorld(async (reg, sig, dir, args) => {
    const token = (await Deno.readTextFile(`${dir}/token`)).trim();
    const dry = await runCli(args);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, /--sign: with --confirm, cip signs each of these 2 images/);
    assert.equal(sig.fake.requests.length, 0, "a dry run asks no Sigstore service");
    assert.deepEqual(await tagsOf(reg.url, "prod/app"), []);

    const run = await runCli([...args, "--confirm"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`signed ${DIGEST} as "https://github.com/kubernetes/`));
    assert.equal(sig.fake.requests.filter((r) => r.service === "fulcio").length, 1);
    for (const repo of ["prod/app", "mirror/app"]) {
      assert.deepEqual(await tagsOf(reg.url, repo), ["1.0", `sha256-${HEX}`]);
      const bundle = await storedBundle(reg.url, repo);
      const v = await verifyImageBundle(bundle, { digest: DIGEST }, {
        trust: sig.trust,
        identities: [ALLOWED],
      });
      assert.ok(v.ok, JSON.stringify(v));
    }
    // The signature is not in the source: cip never writes there.
    assert.deepEqual(await tagsOf(reg.url, "staging/app"), ["1.0"]);

    // A rerun promotes nothing, so it signs nothing and asks no Sigstore service.
    const calls = sig.fake.requests.length;
    const again = await runCli([...args, "--confirm"]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(sig.fake.requests.length, calls, "a rerun asks no Sigstore service");

    // A new tag for the signed digest: promoted again (tagged), and not signed again since a
    // valid signature by the same identity is there; the referrers indexes still list one.
    const rekor = () => sig.fake.requests.filter((r) => r.service === "rekor").length;
    const logged = rekor();
    const text = await Deno.readTextFile(`${dir}/m.yaml`);
    await Deno.writeTextFile(`${dir}/m.yaml`, text.replace('["1.0"]', '["1.0", "latest"]'));
    const tagged = await runCli([...args, "--confirm"]);
    assert.equal(tagged.code, 0, tagged.stderr);
    assert.match(tagged.stderr, /2 images already carry a valid signature by "https:/);
    assert.equal(rekor(), logged, "nothing signed again");
    for (const repo of ["prod/app", "mirror/app"]) await storedBundle(reg.url, repo);
    for (const out of [dry, run, again, tagged]) {
      assert.ok(!out.stdout.includes(token) && !out.stderr.includes(token), "no token printed");
      for (const part of token.split(".").filter((p) => p.length > 8)) {
        assert.ok(!out.stderr.includes(part), "no part of the token printed");
      }
    }
  });
});

Deno.test("--sign --sign-legacy-sig also stores a cosign .sig that verifies; a failing Fulcio fails the run without a token in the message", async () => {
  await withWorld(async (reg, sig, dir, args) => {
    const run = await runCli([...args, "--sign-legacy-sig", "--confirm"]);
    assert.equal(run.code, 0, run.stderr);
    const bytes = await fetchManifest(reg.url, "prod/app", cosignSignatureTag(DIGEST));
    const layers = cosignSignatureLayers(bytes!);
    assert.equal(layers.length, 1);
    const payload = new Uint8Array(
      await (await fetch(`${reg.url}/v2/prod/app/blobs/${layers[0]!.digest}`)).arrayBuffer(),
    );
    const v = await verifyCosignLayer({ descriptor: layers[0]!, payload }, DIGEST, {
      trust: sig.trust,
      identities: [ALLOWED],
    });
    assert.ok(v.ok, JSON.stringify(v));

    // A new image and a Fulcio that refuses: the copy is done, the signing fails the run.
    const other = makeImage({ layers: 1, mediaType: "oci", seed: 202 });
    await pushImage(reg.url, "staging/app", other, ["2.0"]);
    await Deno.writeTextFile(
      `${dir}/m.yaml`,
      `registries:\n- name: ${reg.host}/staging\n  src: true\n- name: ${reg.host}/prod\n` +
        `images:\n- name: app\n  dmap:\n    "${other.manifest.digest}": ["2.0"]\n`,
    );
    sig.fake.faults.fulcio = { status: 503, body: "unavailable" };
    const failed = await runCli([
      ...args,
      "--confirm",
      "--log-level=debug",
      `--report=${dir}/report.json`,
    ]);
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /ERROR.*Cannot sign: Cannot get a signing certificate/);
    assert.deepEqual(await tagsOf(reg.url, "prod/app"), [
      "1.0",
      "2.0",
      `sha256-${HEX}`,
      `sha256-${HEX}.sig`,
    ]);
    const token = (await Deno.readTextFile(`${dir}/token`)).trim();
    const report = await Deno.readTextFile(`${dir}/report.json`);
    assert.match(JSON.parse(report).signatures.signing.failures[0], /^Cannot sign: /);
    for (const text of [failed.stderr, failed.stdout, report]) {
      for (const part of [token, ...token.split(".").filter((p) => p.length > 8)]) {
        assert.ok(
          !text.includes(part),
          "no token, nor a part of it, at debug level or in the report",
        );
      }
    }
  });
});

Deno.test("--sign takes its identity token from GitHub Actions' OIDC endpoint when no other is given", async () => {
  await withWorld(async (reg, sig, _dir, args) => {
    const withoutFile = args.filter((a) => !a.startsWith("--identity-token="));
    const run = await runCli([...withoutFile, "--confirm"], { env: sig.fake.githubEnv() });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(sig.fake.issuedTokens.length, 1);
    const v = await verifyImageBundle(await storedBundle(reg.url, "prod/app"), { digest: DIGEST }, {
      trust: sig.trust,
      identities: [ALLOWED],
    });
    assert.ok(v.ok, JSON.stringify(v));
    for (const secret of [sig.fake.issuedTokens[0]!, sig.fake.githubRequestToken]) {
      assert.ok(!run.stderr.includes(secret) && !run.stdout.includes(secret));
    }
  });
});
