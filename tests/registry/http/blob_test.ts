import assert from "node:assert/strict";
import { HttpBackend } from "../../../src/registry/http/backend.ts";
import { commitTimeoutMs } from "../../../src/registry/http/blob.ts";
import { RegistryError } from "../../../src/registry/errors.ts";
import { plainHttpFetch } from "../../../src/registry/http/http_fetch.ts";
import { FakeRegistry, type FakeRegistryOptions } from "../../fakes/registry.ts";
import { digestOf, makeImage, randomBytes } from "../../fixtures/images.ts";

function setup(opts: Partial<FakeRegistryOptions> = {}, monolithicLimit = 64) {
  const fake = new FakeRegistry({ host: "reg.test", ...opts });
  const backend = new HttpBackend({
    host: "reg.test",
    fetch: plainHttpFetch(fake.fetch),
    monolithicLimit,
  });
  return { fake, backend };
}

/** A stream of bytes in chunks of `chunk` bytes. */
function streamOf(bytes: Uint8Array, chunk = 7): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
  });
}

const image = makeImage({ layers: 1, mediaType: "oci", seed: 3 });
const small = randomBytes(11, 40);
const large = randomBytes(12, 1000);

function methods(fake: FakeRegistry): string[] {
  return fake.requests.map((r) => r.method);
}

Deno.test("mountBlob() returns true and links the blob on 201", async () => {
  const { fake, backend } = setup();
  fake.seed("src", image, ["1"]);
  assert.equal(await backend.mountBlob("dst", image.layers[0]!.digest, "src"), true);
  assert.ok(fake.hasBlob("dst", image.layers[0]!.digest));
  const url = new URL(fake.requests[0]!.url);
  assert.equal(url.searchParams.get("mount"), image.layers[0]!.digest);
  assert.equal(url.searchParams.get("from"), "src");
});

Deno.test("mountBlob() cancels the session and returns false on 202", async () => {
  const { fake, backend } = setup();
  fake.seed("src", image, ["1"]);
  fake.faults.add({ action: { mount202: true } });
  assert.equal(await backend.mountBlob("dst", image.layers[0]!.digest, "src"), false);
  assert.equal(fake.hasBlob("dst", image.layers[0]!.digest), false);
  assert.deepEqual(methods(fake), ["POST", "DELETE"]);
  assert.equal(fake.openUploads(), 0);
});

Deno.test("mountBlob() returns false when the blob is not in the source", async () => {
  const { fake, backend } = setup();
  assert.equal(await backend.mountBlob("dst", digestOf(small), "src"), false);
  assert.equal(fake.openUploads(), 0);
});

Deno.test("putBlob() sends a small blob with POST and one PUT", async () => {
  const { fake, backend } = setup();
  await backend.putBlob("dst", blobOf(small), streamOf(small));
  assert.deepEqual(methods(fake), ["POST", "PUT"]);
  assert.deepEqual(fake.state.blobs.get(digestOf(small)), small);
  assert.ok(fake.hasBlob("dst", digestOf(small)));
});

Deno.test("putBlob() streams a large blob with one PATCH, then PUT ?digest=", async () => {
  for (const absoluteLocations of [false, true]) {
    const { fake, backend } = setup({ absoluteLocations });
    await backend.putBlob("dst", blobOf(large), streamOf(large, 100));
    assert.deepEqual(methods(fake), ["POST", "PATCH", "PUT"]);
    assert.deepEqual(fake.state.blobs.get(digestOf(large)), large);
    // The session's query (_state) is kept and the digest added to it.
    const put = new URL(fake.requests[2]!.url);
    assert.ok(put.searchParams.get("_state"));
    assert.equal(put.searchParams.get("digest"), digestOf(large));
  }
});

Deno.test("putBlob() commits a streamed upload whose PATCH answer was lost once the session holds it all", async () => {
  const fake = new FakeRegistry({ host: "reg.test" });
  const lossy: typeof fetch = async (input, init) => {
    const method = input instanceof Request ? input.method : init?.method ?? "GET";
    const res = await fake.fetch(input, init);
    if (method !== "PATCH") return res;
    await res.body?.cancel();
    throw new TypeError("connection closed before message completed");
  };
  const backend = new HttpBackend({
    host: "reg.test",
    fetch: plainHttpFetch(lossy),
    monolithicLimit: 64,
  });
  await backend.putBlob("dst", blobOf(large), streamOf(large, 100));
  assert.deepEqual(methods(fake), ["POST", "PATCH", "GET", "PUT"]);
  assert.deepEqual(fake.state.blobs.get(digestOf(large)), large);
});

Deno.test("putBlob() of a small blob with wrong content sends nothing", async () => {
  const { fake, backend } = setup();
  const wrong = { mediaType: "x", digest: digestOf(small), size: small.length };
  const tampered = small.slice();
  tampered[3]! ^= 1;
  await assert.rejects(backend.putBlob("dst", wrong, streamOf(tampered)), RegistryError);
  await assert.rejects(
    backend.putBlob("dst", { ...wrong, size: 10 }, streamOf(small)),
    /does not match/,
  );
  assert.equal(fake.count(), 0);
});

Deno.test("putBlob() of a streamed blob with wrong content commits nothing", async () => {
  const cases = [
    { name: "flipped byte", bytes: flip(large), blob: blobOf(large) },
    { name: "too long", bytes: new Uint8Array([...large, 1]), blob: blobOf(large) },
    { name: "too short", bytes: large.slice(0, 900), blob: blobOf(large) },
    { name: "unknown size", bytes: flip(large), blob: { ...blobOf(large), size: -1 } },
  ];
  for (const c of cases) {
    const { fake, backend } = setup();
    const err = await backend.putBlob("dst", c.blob, streamOf(c.bytes, 100)).catch((e) => e);
    assert.ok(err instanceof RegistryError, c.name);
    assert.match(err.message, /does not match/, c.name);
    assert.equal(fake.state.blobs.size, 0, c.name);
    assert.equal(fake.openUploads(), 0, c.name);
    assert.equal(fake.count({ method: "PUT" }), 0, c.name);
    assert.equal(fake.count({ method: "DELETE" }), 1, c.name);
  }
});

Deno.test("putBlob() cancels the session when the registry refuses the commit", async () => {
  const { fake, backend } = setup();
  fake.faults.add({ method: "PUT", action: { status: 500 } });
  const err = await backend.putBlob("dst", blobOf(large), streamOf(large)).catch((e) => e);
  assert.ok(err instanceof RegistryError);
  assert.equal(err.status, 500);
  assert.equal(err.temporary, true);
  assert.equal(fake.openUploads(), 0);
});

Deno.test("hasBlob() and getBlob() read what is stored", async () => {
  const { fake, backend } = setup();
  fake.seed("src", image, ["1"]);
  const layer = image.layers[0]!;
  assert.equal(await backend.hasBlob("src", layer.digest), true);
  assert.equal(await backend.hasBlob("other", layer.digest), false);
  const blob = await backend.getBlob("src", layer.digest);
  assert.equal(blob.size, layer.bytes.length);
  assert.deepEqual(new Uint8Array(await new Response(blob.body).arrayBuffer()), layer.bytes);
  const missing = await backend.getBlob("src", digestOf(small)).catch((e) => e);
  assert.ok(missing instanceof RegistryError);
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.codes, ["BLOB_UNKNOWN"]);
});

Deno.test("a blob streams from one repository to another through getBlob and putBlob", async () => {
  const { fake, backend } = setup();
  const big = makeImage({ layers: 1, mediaType: "docker", layerSize: 5000, seed: 5 });
  fake.seed("src", big, ["1"]);
  const layer = big.layers[0]!;
  const blob = await backend.getBlob("src", layer.digest);
  await backend.putBlob("dst", layer, blob.body);
  assert.ok(fake.hasBlob("dst", layer.digest));
  assert.equal(fake.count({ method: "PATCH" }), 1);
});

/** A registry whose answers to the upload POSTs carry `location` instead of their own. */
function hostileLocation(location: string) {
  const fake = new FakeRegistry({ host: "reg.test" });
  fake.seed("prod", image, ["1.0"]);
  const sent: string[] = [];
  const backend = new HttpBackend({
    host: "reg.test",
    monolithicLimit: 64,
    fetch: async (req) => {
      sent.push(`${req.method} ${req.url}`);
      const res = await fake.fetch(req);
      if (req.method !== "POST" || !res.headers.has("location")) return res;
      const headers = new Headers(res.headers);
      headers.set("location", location);
      return new Response(res.body, { status: res.status, headers });
    },
  });
  return { fake, backend, sent };
}

Deno.test("putBlob() sends nothing to an upload location that is not an upload session of the repository", async () => {
  const manifest = `/v2/prod/manifests/${image.manifest.digest}`;
  for (
    const location of [
      "http://evil.test/v2/prod/blobs/uploads/x",
      "http://reg.test/v2/prod/blobs/uploads/x",
      manifest,
      `https://reg.test${manifest}`,
      "/v2/other/blobs/uploads/x",
      "/v2/prod/blobs/uploads/x/manifests/latest",
      "/v2/prod/blobs/uploads/x%2F..%2F..%2Fmanifests%2F1.0",
      "/v2/prod/blobs/uploads/",
      "/v2/prod/blobs/sha256:00",
    ]
  ) {
    for (const bytes of [small, large]) {
      const { fake, backend, sent } = hostileLocation(location);
      await assert.rejects(
        backend.putBlob("prod", blobOf(bytes), streamOf(bytes)),
        (e) =>
          e instanceof RegistryError &&
          /upload location (on another origin|that is not an upload session of prod)/.test(
            e.message,
          ),
        location,
      );
      assert.deepEqual(sent.map((s) => s.split(" ")[0]), ["POST"], location);
      assert.ok(fake.manifest("prod", image.manifest.digest) !== undefined);
    }
  }
});

Deno.test("mountBlob() cancels a 202 session only when it is an upload session of the repository", async () => {
  for (
    const [location, cancelled] of [["/v2/prod/manifests/1.0", false], [
      "/v2/prod/blobs/uploads/abc",
      true,
    ]] as const
  ) {
    const { backend, sent } = hostileLocation(location);
    assert.equal(await backend.mountBlob("prod", image.layers[0]!.digest, "elsewhere"), false);
    assert.deepEqual(sent.map((s) => s.split(" ")[0]), cancelled ? ["POST", "DELETE"] : ["POST"]);
  }
});

function blobOf(bytes: Uint8Array) {
  return { mediaType: "application/octet-stream", digest: digestOf(bytes), size: bytes.length };
}

function flip(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  out[out.length - 1]! ^= 0xff;
  return out;
}

Deno.test("the commit of a streamed upload asks for a longer idle timeout", async () => {
  const fake = new FakeRegistry({ host: "reg.test" });
  const hints: [string, number | undefined][] = [];
  const backend = new HttpBackend({
    host: "reg.test",
    fetch: (req, hint) => {
      hints.push([req.method, hint?.timeoutMs]);
      return fake.fetch(req);
    },
    monolithicLimit: 64,
  });
  await backend.putBlob("dst", blobOf(large), streamOf(large, 100));
  assert.deepEqual(hints, [["POST", undefined], ["PATCH", undefined], ["PUT", 61_000]]);
  assert.equal(commitTimeoutMs(5 * 1024 * 1024 * 1024), 60_000 + 1024_000);
});
