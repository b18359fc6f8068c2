import assert from "node:assert/strict";
import { digestOf, makeImage, pushImage } from "../fixtures/images.ts";
import { startRegistry } from "./registry_process.ts";

Deno.test("startRegistry serves pushed images and stop() removes its storage", async () => {
  const reg = await startRegistry();
  try {
    assert.match(reg.host, /^127\.0\.0\.1:\d+$/);
    const image = makeImage({ layers: 2, mediaType: "oci", whitespace: "unusual" });
    await pushImage(reg.url, "team/app", image, ["v1"]);
    const res = await fetch(`${reg.url}/v2/team/app/manifests/v1`, {
      headers: { Accept: image.manifest.mediaType },
    });
    assert.equal(res.status, 200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal(digestOf(bytes), image.manifest.digest);
  } finally {
    await reg.stop();
  }
  await assert.rejects(Deno.stat(reg.dir), Deno.errors.NotFound);
});

Deno.test("startRegistry with htpasswd refuses anonymous requests and accepts the user", async () => {
  const reg = await startRegistry({ htpasswd: { user: "ci", password: "s3cret" } });
  try {
    const anon = await fetch(`${reg.url}/v2/`);
    assert.equal(anon.status, 401);
    await anon.body?.cancel();
    const authed = await fetch(`${reg.url}/v2/`, {
      headers: { Authorization: `Basic ${btoa("ci:s3cret")}` },
    });
    assert.equal(authed.status, 200);
    await authed.body?.cancel();
    const image = makeImage({ layers: 1, mediaType: "docker", seed: 4 });
    await pushImage(reg.url, "x", image, ["t"], { auth: { user: "ci", password: "s3cret" } });
  } finally {
    await reg.stop();
  }
});
