/** Registries (the opener) composing the client and the transport against real registries. */
import assert from "node:assert/strict";
import { Logger } from "../../src/log.ts";
import { readRepositories } from "../../src/registry/inventory.ts";
import { readManifest } from "../../src/oci/mod.ts";
import { Registries } from "../../src/registry/open.ts";
import { ANONYMOUS } from "../../src/registry/mod.ts";
import { digestOf, makeImage, pushImage } from "../fixtures/images.ts";
import { startRegistry } from "./registry_process.ts";

const user = { user: "ci", password: "hunter2-long-password" };
const big = makeImage({ layers: 1, mediaType: "oci", layerSize: 2 * 1024 * 1024, seed: 41 });

Deno.test("Registries copies into a registry with docker config credentials, streaming big blobs", async () => {
  const src = await startRegistry();
  const dst = await startRegistry({ htpasswd: user });
  try {
    await pushImage(src.url, "app", big, ["1.0"]);
    // Credentials come the default way: credentialsFor reads $DOCKER_CONFIG/config.json.
    const dockerConfig = `${dst.dir}/docker`;
    await Deno.mkdir(dockerConfig);
    await Deno.writeTextFile(
      `${dockerConfig}/config.json`,
      JSON.stringify({ auths: { [dst.host]: { auth: btoa(`${user.user}:${user.password}`) } } }),
    );
    const env: Record<string, string> = { DOCKER_CONFIG: dockerConfig };
    const registries = new Registries({
      keyFiles: [],
      env: (name) => env[name],
      insecureHosts: [],
      fetch: globalThis.fetch,
      now: Date.now,
      log: new Logger("error"),
    });
    const from = registries.open(`${src.host}/app`).backend;
    const to = registries.open(`${dst.host}/prod`).backend;
    const m = await from.getManifest("app", "1.0");
    assert.ok(m);
    for (const blob of readManifest(m.bytes, m.mediaType).blobs) {
      const stream = await from.getBlob("app", blob.digest);
      await to.putBlob("prod/app", blob, stream.body);
    }
    await to.putManifest("prod/app", "1.0", m);
    const inv = await readRepositories(to, ["prod/app"]);
    assert.deepEqual(inv.get("prod/app")?.get(big.manifest.digest)?.tags, ["1.0"]);
    const raw = await fetch(`${dst.url}/v2/prod/app/blobs/${big.layers[0]!.digest}`, {
      headers: { Authorization: `Basic ${btoa(`${user.user}:${user.password}`)}` },
    });
    assert.equal(digestOf(new Uint8Array(await raw.arrayBuffer())), big.layers[0]!.digest);
    const snap = registries.stats.snapshot();
    assert.ok(snap.hosts[dst.host]!.bytesUp >= big.layers[0]!.size);
    assert.equal(snap.hosts[dst.host]!.requests["PATCH"], 1);
  } finally {
    await src.stop();
    await dst.stop();
  }
});

Deno.test("Registries reads nothing from a basic-auth registry without credentials", async () => {
  const reg = await startRegistry({ htpasswd: user });
  try {
    const registries = new Registries({
      keyFiles: [],
      env: () => undefined,
      insecureHosts: [],
      credentials: () => ANONYMOUS,
      fetch: globalThis.fetch,
      now: Date.now,
      log: new Logger("error"),
      maxAttempts: 1,
    });
    const { backend } = registries.open(reg.host);
    const err = await backend.listTags("x").catch((e) => e);
    assert.equal(err?.status, 401);
  } finally {
    await reg.stop();
  }
});
