/**
 * Credentials that are wrong, missing or unreadable, through the real command line against a
 * real `docker-registry` with htpasswd auth: every case names the source it tried and why it
 * failed, exits 1, prints no secret and no Deno error text.
 */
import assert from "node:assert/strict";
import { makeImage, pushImage } from "../fixtures/images.ts";
import { tempDir } from "../fixtures/temp_dirs.ts";
import { runCli } from "../cli/run_cli.ts";
import { startRegistry } from "./registry_process.ts";

interface Case {
  name: string;
  /** Sets the case up in `dir`; returns the flags and environment of the run. */
  setup: (dir: string) => Promise<{ flags: string[]; env?: Record<string, string> }>;
  code: 0 | 1;
  stderr: RegExp;
}

const AUTH = { user: "ci", password: "s3cret-right" };
const WRONG = "s3cret-wrong";

async function dockerConfig(dir: string, name: string, config: string): Promise<string> {
  const d = `${dir}/${name}`;
  await Deno.mkdir(d, { recursive: true });
  await Deno.writeTextFile(`${d}/config.json`, config);
  return d;
}

function auths(host: string, user: string, password: string): string {
  return JSON.stringify({ auths: { [host]: { auth: btoa(`${user}:${password}`) } } });
}

Deno.test("credentials that cannot be used are named with the reason, never with a secret", async (t) => {
  const src = await startRegistry();
  const dst = await startRegistry({ htpasswd: AUTH });
  try {
    const img = makeImage({ layers: 1, mediaType: "oci", seed: 21 });
    await pushImage(src.url, "stage/foo", img, ["1.0"]);
    const dir = await tempDir("cip-hostile-creds-");
    const manifest = async (file: string, extra = "") => {
      const path = `${dir}/${file}`;
      await Deno.writeTextFile(
        path,
        `registries:\n  - name: ${src.host}/stage\n    src: true\n  - name: ${dst.host}/prod${extra}\n` +
          `images:\n  - name: foo\n    dmap:\n      "${img.manifest.digest}": ["1.0"]\n`,
      );
      return `--manifest=${path}`;
    };
    const plain = await manifest("plain.yaml");
    const google = await manifest("sa.yaml", "\n    service-account: p@x.iam.gserviceaccount.com");
    const cases: Case[] = [
      {
        name: "no credentials for a registry that wants them",
        setup: () => Promise.resolve({ flags: [plain, "--confirm"] }),
        code: 1,
        stderr: /tags\/list\?n=1000: registry returned 401 UNAUTHORIZED without credentials$/m,
      },
      {
        name: "a wrong password in docker's config.json",
        setup: async (d) => ({
          flags: [plain, "--confirm"],
          env: { DOCKER_CONFIG: await dockerConfig(d, "wrong", auths(dst.host, "ci", WRONG)) },
        }),
        code: 1,
        stderr:
          /401 UNAUTHORIZED with Basic credentials from .*\/wrong\/config\.json \(user ci\)$/m,
      },
      {
        name: "a config.json that is not JSON",
        setup: async (d) => ({
          flags: [plain],
          env: { DOCKER_CONFIG: await dockerConfig(d, "notjson", "{{{") },
        }),
        code: 1,
        stderr: /Cannot get credentials from .*\/notjson\/config\.json: .*is not valid JSON$/m,
      },
      {
        name: "a config.json that is a directory",
        setup: async (d) => {
          await Deno.mkdir(`${d}/isdir/config.json`, { recursive: true });
          return { flags: [plain], env: { DOCKER_CONFIG: `${d}/isdir` } };
        },
        code: 1,
        stderr: /isdir\/config\.json: cannot be read: is a directory$/m,
      },
      {
        name: "a credential helper that is not installed",
        setup: async (d) => ({
          flags: [plain],
          env: {
            DOCKER_CONFIG: await dockerConfig(
              d,
              "helper",
              JSON.stringify({ credHelpers: { [dst.host]: "cip-test-absent" } }),
            ),
          },
        }),
        code: 1,
        stderr: /docker-credential-cip-test-absent: cannot be run: not found on PATH$/m,
      },
      {
        name: "a --key-files entry that is a directory",
        setup: (d) => Promise.resolve({ flags: [google, `--key-files=${d}`] }),
        code: 1,
        stderr:
          /Cannot get a Google access token for p@x\.iam\.gserviceaccount\.com: tried: key file [^;]*: is a directory;/,
      },
      {
        name: "a --key-files entry that is not JSON",
        setup: (d) => Promise.resolve({ flags: [google, `--key-files=${d}/plain.yaml`] }),
        code: 1,
        stderr: /key file [^;]*plain\.yaml: is not JSON;/,
      },
      {
        name: "the right password (the registry and the manifest are fine)",
        setup: async (d) => ({
          flags: [plain, "--confirm"],
          env: {
            DOCKER_CONFIG: await dockerConfig(
              d,
              "right",
              auths(dst.host, AUTH.user, AUTH.password),
            ),
          },
        }),
        code: 0,
        stderr: /1 copied, 0 tags added/,
      },
    ];
    for (const c of cases) {
      await t.step(c.name, async () => {
        const { flags, env = {} } = await c.setup(dir);
        // No Google credential may come from the machine, and the metadata server is a closed
        // loopback port: nothing leaves 127.0.0.0/8.
        const r = await runCli(["run", ...flags], {
          env: { HOME: dir, GCE_METADATA_HOST: "127.0.0.1:1", ...env },
        });
        const info = `exit ${r.code}\n--- stderr\n${r.stderr}--- stdout\n${r.stdout}`;
        assert.equal(r.code, c.code, info);
        assert.match(r.stderr, c.stderr, info);
        assert.doesNotMatch(r.stderr, /^\s+at |Uncaught|os error|--allow-/m, info);
        assert.ok(!r.stderr.includes(WRONG) && !r.stderr.includes(AUTH.password), info);
        assert.ok(!r.stdout.includes(WRONG) && !r.stdout.includes(AUTH.password), info);
      });
    }
  } finally {
    await src.stop();
    await dst.stop();
  }
});
