/**
 * Regenerates testdata/sigstore/cli/: a Sigstore bundle written by another tool, the
 * `@sigstore/cli` npm package (`sigstore attest`), against the offline fake services of
 * tests/fakes/sigstore.ts, with the trusted root of that run. See testdata/sigstore/README.md.
 *
 *   deno run -A tests/sigstore/make_cli_fixture.ts
 */
import { createHash } from "node:crypto";
import { FAKE_ISSUER, FAKE_SUBJECT, FakeSigstore } from "../fakes/sigstore.ts";

/** The @sigstore/cli release the fixture was made with. */
export const CLI = "npm:@sigstore/cli@0.10.3";

const out = new URL("../../testdata/sigstore/cli/", import.meta.url);
const digest = `sha256:${createHash("sha256").update("cip sigstore fixture image").digest("hex")}`;
const statement = {
  _type: "https://in-toto.io/Statement/v1",
  subject: [{ digest: { sha256: digest.slice(7) } }],
  predicateType: "https://sigstore.dev/cosign/sign/v1",
  predicate: {},
};

const fake = await FakeSigstore.start();
const work = await Deno.makeTempDir();
try {
  await Deno.mkdir(out, { recursive: true });
  const statementPath = `${work}/statement.json`;
  await Deno.writeTextFile(statementPath, JSON.stringify(statement));
  const bundlePath = `${work}/bundle.json`;
  const args = [
    "run",
    "-A",
    "--no-lock",
    CLI,
    "attest",
    statementPath,
    "--fulcio-url",
    fake.url,
    "--rekor-url",
    fake.url,
    "--tsa-server-url",
    fake.url,
    "--output-file",
    bundlePath,
  ];
  const result = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: work,
    env: { CI: "true", SIGSTORE_ID_TOKEN: fake.token() },
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!result.success) throw new Error(`sigstore attest failed (${result.code})`);
  await Deno.copyFile(bundlePath, new URL("bundle.json", out));
  await Deno.writeTextFile(
    new URL("trusted_root.json", out),
    JSON.stringify(fake.trustedRoot, null, 2) + "\n",
  );
  const facts = { digest, subject: FAKE_SUBJECT, issuer: FAKE_ISSUER, tool: CLI, statement };
  await Deno.writeTextFile(new URL("fixture.json", out), JSON.stringify(facts, null, 2) + "\n");
  console.log(`wrote ${out.pathname}`);
} finally {
  await fake.close();
  await Deno.remove(work, { recursive: true });
}
