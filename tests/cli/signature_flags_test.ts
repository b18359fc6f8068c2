/**
 * The signature flags and policy blocks as the command line reads them: every mistake is a usage
 * or manifest error (exit 2) said in one line, before any registry is read (the runs here have no
 * network at all).
 */
import assert from "node:assert/strict";
import { main } from "../../src/cli/main.ts";
import { helpText } from "../../src/cli/help.ts";
import { FakeSigstore } from "../fakes/sigstore.ts";
import { withTempDir } from "../fixtures/temp_dirs.ts";
import { recordingIo } from "./recording_io.ts";

const MANIFEST =
  "registries:\n- name: 127.0.0.1:1/staging\n  src: true\n- name: 127.0.0.1:1/prod\n" +
  `images:\n- name: app\n  dmap:\n    "sha256:${"a".repeat(64)}": ["1.0"]\n`;

async function run(dir: string, args: string[], manifest = MANIFEST) {
  await Deno.writeTextFile(`${dir}/m.yaml`, manifest);
  const { io, result } = recordingIo();
  return result(await main(["run", `--manifest=${dir}/m.yaml`, ...args], io));
}

const ISSUER = "--certificate-oidc-issuer=https://issuer.example";
const SUBJECT = "--certificate-identity=builder@example.com";

const cases: [string, (dir: string) => string[], RegExp][] = [
  ["an identity without an issuer", () => [SUBJECT], /needs --certificate-oidc-issuer/],
  ["an issuer without an identity", () => [ISSUER], /needs --certificate-identity/],
  [
    "an exact and a regexp identity together",
    () => [SUBJECT, "--certificate-identity-regexp=.*", ISSUER],
    /--certificate-identity and --certificate-identity-regexp cannot be used together/,
  ],
  [
    "an invalid regular expression",
    () => ["--certificate-identity-regexp=(", ISSUER],
    /--certificate-identity-regexp is not a valid regular expression/,
  ],
  ["an unknown mode", () => ["--signature-policy=strict"], /must be one of off, warn, require/],
  [
    "a policy without a trusted root",
    () => [SUBJECT, ISSUER],
    /no trusted root is given: pass --trusted-root=FILE/,
  ],
  [
    "require without an identity",
    (dir) => ["--signature-policy=require", `--trusted-root=${dir}/root.json`],
    /is require but names no identity/,
  ],
  [
    "--sign without a trusted root",
    () => ["--sign", "--confirm"],
    /--sign needs --trusted-root=FILE/,
  ],
  [
    "--sign --confirm without any identity token",
    (dir) => ["--sign", "--confirm", `--trusted-root=${dir}/root.json`],
    /--sign needs an identity token: --identity-token=FILE, --signer-account=EMAIL, SIGSTORE_ID_TOKEN, or a GitHub/,
  ],
  [
    "a signing flag without --sign",
    () => ["--identity-token=t"],
    /--identity-token is used only with --sign/,
  ],
  [
    "--signer-account without --sign",
    () => ["--signer-account=signer@p.iam.gserviceaccount.com"],
    /--signer-account is used only with --sign/,
  ],
  [
    "--identity-token and --signer-account together",
    (dir) => [
      "--sign",
      `--trusted-root=${dir}/root.json`,
      "--identity-token=t",
      "--signer-account=signer@p.iam.gserviceaccount.com",
    ],
    /--identity-token and --signer-account cannot be used together/,
  ],
  [
    "a --signer-account that is not an e-mail address",
    (dir) => ["--sign", "--confirm", `--trusted-root=${dir}/root.json`, "--signer-account=signer"],
    /--signer-account must be a service account's e-mail address, not "signer"/,
  ],
  [
    "a Fulcio URL that is not one",
    (dir) => ["--sign", `--trusted-root=${dir}/root.json`, "--fulcio-url=ftp://x"],
    /--fulcio-url must be an http\(s\) URL, not "ftp:\/\/x"/,
  ],
  [
    "a trusted root that is missing",
    (dir) => [SUBJECT, ISSUER, `--trusted-root=${dir}/missing.json`],
    /--trusted-root=.*missing\.json: cannot read the file \(NotFound\)/,
  ],
  [
    "a trusted root that is not one",
    (dir) => [SUBJECT, ISSUER, `--trusted-root=${dir}/m.yaml`],
    /--trusted-root: Cannot use the trusted root .*m\.yaml: it is not JSON/,
  ],
];

for (const [what, args, expected] of cases) {
  Deno.test(`cip refuses ${what} with exit 2 before reading any registry`, async () => {
    await withTempDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/root.json`, await fakeRoot());
      const r = await run(dir, args(dir));
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, expected);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    });
  });
}

Deno.test("cip reports an invalid policy block in a manifest with its file and line, exit 2", async () => {
  await withTempDir(async (dir) => {
    const r = await run(dir, [], `${MANIFEST}policy:\n  mode: maybe\n`);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /m\.yaml:10:9: policy\.mode: invalid mode: maybe/);
  });
});

Deno.test("--help documents the signature flags and the exit code of a refused image", () => {
  const text = helpText();
  assert.match(text, /^Signatures:$/m);
  for (
    const flag of [
      "--signature-policy=MODE",
      "--certificate-identity=SUBJECT",
      "--certificate-identity-regexp=RE",
      "--certificate-oidc-issuer=URL",
      "--certificate-oidc-issuer-regexp=RE",
      "--trusted-root=FILE",
      "--sign",
      "--identity-token=FILE",
      "--signer-account=EMAIL",
    ]
  ) assert.ok(text.includes(flag), flag);
  assert.match(text, /--signer-account=EMAIL[^]*roles\/iam\.serviceAccountOpenIdTokenCreator/);
  assert.match(text, /1 {2}the run failed \(.*unsigned image/);
});

/** A trusted root of the fake Sigstore services (any valid root will do here). */
async function fakeRoot(): Promise<string> {
  const fake = await FakeSigstore.start();
  await fake.close();
  return JSON.stringify(fake.trustedRoot);
}
