/**
 * Credentials through the transport against a real docker-registry with htpasswd auth: a docker
 * config.json in a temporary DOCKER_CONFIG, and a credential helper found on PATH.
 */
import assert from "node:assert/strict";
import { Logger } from "../../src/log.ts";
import { credentialsFor, verify } from "../../src/registry/auth/mod.ts";
import { HttpBackend } from "../../src/registry/http/backend.ts";
import { RegistryError } from "../../src/registry/errors.ts";
import { createTransport, HostLimiters, TransportStats } from "../../src/registry/transport/mod.ts";
import { asBody, makeImage } from "../fixtures/images.ts";
import { startRegistry } from "./registry_process.ts";

const USER = "ci-robot";
const PASSWORD = "s3cret-for-the-test";

/** A backend on `host` whose transport takes credentials from `env` only. */
function backend(host: string, env: Record<string, string>, lines: string[] = []) {
  const log = new Logger("debug", (t) => lines.push(t));
  const credentials = credentialsFor(host, {
    keyFiles: [],
    env: (n) => env[n],
    fetch,
    now: Date.now,
    log,
  });
  const stats = new TransportStats();
  const transport = createTransport({
    host,
    baseUrl: `http://${host}`,
    credentials,
    limiter: new HostLimiters({ requestsPerSecond: () => 0, maxInFlight: 4 }).for(host),
    stats,
    log,
  });
  return { credentials, stats, client: new HttpBackend({ host, fetch: transport }) };
}

Deno.test("docker config.json credentials push and read an image through the transport", async () => {
  const reg = await startRegistry({ htpasswd: { user: USER, password: PASSWORD } });
  const dockerConfig = await Deno.makeTempDir({ prefix: "cip-docker-config-" });
  try {
    await Deno.writeTextFile(
      `${dockerConfig}/config.json`,
      JSON.stringify({ auths: { [reg.host]: { auth: btoa(`${USER}:${PASSWORD}`) } } }),
    );
    const lines: string[] = [];
    const { credentials, stats, client } = backend(
      reg.host,
      { DOCKER_CONFIG: dockerConfig },
      lines,
    );
    await verify(credentials);
    assert.equal(credentials.describe(), `${dockerConfig}/config.json (user ${USER})`);
    // A layer above the monolithic limit goes up as a one-shot stream (PATCH): the transport
    // must have the Basic challenge in hand before sending it.
    const image = makeImage({ layers: 2, mediaType: "oci", layerSize: 2 * 1024 * 1024, seed: 7 });
    for (const blob of [image.config, ...image.layers]) {
      await client.putBlob("team/app", blob, new Blob([asBody(blob.bytes)]).stream());
    }
    await client.putManifest("team/app", "1.0", image.manifest);
    const back = await client.getManifest("team/app", "1.0");
    assert.deepEqual(back?.bytes, image.manifest.bytes);
    assert.deepEqual((await client.listTags("team/app")).tags, ["1.0"]);
    assert.ok(stats.snapshot().bytesUp >= 4 * 1024 * 1024);
    assert.ok(!lines.join("").includes(PASSWORD));

    // Without the config the same registry refuses.
    const anonymous = backend(reg.host, {});
    await assert.rejects(
      anonymous.client.listTags("team/app"),
      (e) => e instanceof RegistryError && e.status === 401,
    );
  } finally {
    await Deno.remove(dockerConfig, { recursive: true });
    await reg.stop();
  }
});

Deno.test("a docker-credential-<name> helper on PATH supplies the registry's credentials", async () => {
  const reg = await startRegistry({ htpasswd: { user: USER, password: PASSWORD } });
  const dir = await Deno.makeTempDir({ prefix: "cip-cred-helper-" });
  try {
    await Deno.mkdir(`${dir}/bin`);
    await Deno.mkdir(`${dir}/config`);
    const helper = `${dir}/bin/docker-credential-test`;
    await Deno.writeTextFile(
      helper,
      [
        "#!/bin/sh",
        '[ "$1" = get ] || exit 2',
        "read -r host",
        `[ "$host" = "${reg.host}" ] || { echo "credentials not found in native keychain"; exit 1; }`,
        `printf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASSWORD}"}' "$host"`,
      ].join("\n") + "\n",
    );
    await Deno.chmod(helper, 0o755);
    await Deno.writeTextFile(
      `${dir}/config/config.json`,
      JSON.stringify({ credHelpers: { [reg.host]: "test" } }),
    );
    const env = {
      DOCKER_CONFIG: `${dir}/config`,
      PATH: `${dir}/bin:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
    };
    const { credentials, client } = backend(reg.host, env);
    await verify(credentials);
    assert.equal(credentials.describe(), `docker-credential-test (user ${USER})`);
    assert.deepEqual(await client.listRepositories(""), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await reg.stop();
  }
});
