/**
 * `--sign --signer-account` end to end: `cip` as a subprocess promotes into a real
 * docker-registry and signs as a Google service account. Its identity token comes from the IAM
 * credentials API (FakeGoogle's `generateIdToken`, reached as https://iamcredentials.googleapis.com
 * through the tests' CONNECT proxy to 127.0.0.1), asked with the access token of the key in
 * GOOGLE_APPLICATION_CREDENTIALS; the mock Fulcio certifies it, and every stored signature
 * verifies as the account with @sigstore/verify. A caller without the role fails the run with a
 * message naming the account and the role; no token is printed, at debug level or in the report.
 */
import assert from "node:assert/strict";
import { type AllowedIdentity, verifyImageBundle } from "../../src/sigstore/mod.ts";
import { runCli } from "../cli/run_cli.ts";
import { makeImage, pushImage } from "../fixtures/images.ts";
import { GOOGLE_ISSUER } from "../fakes/google.ts";
import { sigstoreWorld } from "../sigstore/world.ts";
import { startConnectProxy } from "./connect_proxy.ts";
import { GOOGLE_TLS_NAMES, IAM_HOST, startGoogle } from "./credential_sources.ts";
import { currentDenoDir } from "./hostile_net.ts";
import { makeLocalCa } from "./local_ca.ts";
import { storedBundle, tagsOf } from "./promote_fixture.ts";
import { startRegistry } from "./registry_process.ts";

const SIGNER = "image-signer@prod.iam.gserviceaccount.com";
const UNGRANTED = "other-signer@prod.iam.gserviceaccount.com";
const CI = "ci-runner@ci.iam.gserviceaccount.com";
const AS_SIGNER: AllowedIdentity = { subject: { exact: SIGNER }, issuer: { exact: GOOGLE_ISSUER } };

Deno.test("--sign --signer-account signs as the service account with a generateIdToken token; a caller without the role fails the run naming it, without any token", async () => {
  const ca = await makeLocalCa(GOOGLE_TLS_NAMES);
  const proxy = startConnectProxy();
  const google = startGoogle(ca, proxy);
  const reg = await startRegistry();
  const sig = await sigstoreWorld();
  const dir = await Deno.makeTempDir({ prefix: "cip-sign-sa-it-" });
  try {
    const image = makeImage({ layers: 2, mediaType: "oci", seed: 301 });
    const digest = image.manifest.digest;
    await pushImage(reg.url, "staging/app", image, ["1.0"]);
    await Deno.writeTextFile(`${dir}/trusted_root.json`, JSON.stringify(sig.fake.trustedRoot));
    await Deno.writeTextFile(`${dir}/ci.json`, await google.google.makeKey(CI));
    google.google.allowIdTokens(CI, SIGNER);
    const manifest = (d: string, dsts: string[]) =>
      `registries:\n- name: ${reg.host}/staging\n  src: true\n` +
      dsts.map((n) => `- name: ${reg.host}/${n}\n`).join("") +
      `images:\n- name: app\n  dmap:\n    "${d}": ["1.0"]\n`;
    await Deno.writeTextFile(`${dir}/m.yaml`, manifest(digest, ["prod", "mirror"]));
    const args = (account: string) => [
      "run",
      `--manifest=${dir}/m.yaml`,
      "--sign",
      `--signer-account=${account}`,
      `--trusted-root=${dir}/trusted_root.json`,
      `--fulcio-url=${sig.fake.url}`,
      `--rekor-url=${sig.fake.url}`,
      "--log-level=debug",
    ];
    // HOME is the scratch directory (no credential of the machine is found), no metadata server
    // answers, and Deno finds its npm packages in this process's cache, not through the proxy.
    const env = {
      HOME: dir,
      DENO_DIR: await currentDenoDir(),
      HTTPS_PROXY: proxy.url,
      DENO_CERT: ca.caFile,
      GOOGLE_APPLICATION_CREDENTIALS: `${dir}/ci.json`,
      GCE_METADATA_HOST: "127.0.0.1:1",
    };

    const dry = await runCli(args(SIGNER), { env });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, /--sign: with --confirm, cip signs each of these 2 images/);
    assert.equal(google.google.idTokenRequests.length, 0, "a dry run asks for no token");

    const run = await runCli([...args(SIGNER), "--confirm"], { env });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`signed ${digest} as "${SIGNER}"`));
    assert.ok(proxy.asked.includes(`${IAM_HOST}:443`), "the real IAM credentials host is asked");
    assert.deepEqual(google.google.idTokenRequests, [{
      target: SIGNER,
      caller: CI,
      body: { audience: "sigstore", includeEmail: true },
    }]);
    for (const repo of ["prod/app", "mirror/app"]) {
      const v = await verifyImageBundle(await storedBundle(reg.url, repo, digest), { digest }, {
        trust: sig.trust,
        identities: [AS_SIGNER],
      });
      assert.ok(v.ok, JSON.stringify(v));
    }

    // An account the caller may not sign as: the copy is done, the signing fails the run.
    const other = makeImage({ layers: 1, mediaType: "oci", seed: 302 });
    await pushImage(reg.url, "staging/app", other, ["2.0"]);
    await Deno.writeTextFile(
      `${dir}/m.yaml`,
      manifest(other.manifest.digest, ["prod"]).replace('["1.0"]', '["2.0"]'),
    );
    const refused = await runCli([
      ...args(UNGRANTED),
      "--confirm",
      `--report=${dir}/report.json`,
    ], { env });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(
      refused.stderr,
      new RegExp(
        `ERROR.*Cannot sign: .*Cannot get an identity token from Google service account ` +
          `${UNGRANTED}: the IAM credentials API refused ${CI} .* needs ` +
          `roles/iam\\.serviceAccountOpenIdTokenCreator .*on ${UNGRANTED}`,
      ),
    );
    assert.ok((await tagsOf(reg.url, "prod/app")).includes("2.0"), "the copy is done");
    const report = await Deno.readTextFile(`${dir}/report.json`);
    assert.match(JSON.parse(report).signatures.signing.failures[0], /serviceAccountOpenIdToken/);

    const secrets = google.google.secrets;
    assert.ok(secrets.length >= 3, "keys, access tokens and the identity token are known");
    for (const out of [dry.stdout, dry.stderr, run.stdout, run.stderr, refused.stderr, report]) {
      for (const secret of secrets) {
        for (const part of [secret, ...secret.split(".").filter((p) => p.length > 8)]) {
          assert.ok(!out.includes(part), "no token, key or part of one is printed");
        }
      }
    }
  } finally {
    await Promise.all([reg.stop(), sig.close(), google.stop(), proxy.stop()]);
    await Deno.remove(dir, { recursive: true });
  }
});
