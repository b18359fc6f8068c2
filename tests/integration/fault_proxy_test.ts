/** The fault proxy itself, in front of a real registry: what each fault does on the wire. */
import assert from "node:assert/strict";
import { digestOf, makeImage, pushImage } from "../fixtures/images.ts";
import { endpointOf, type FaultProxy, startFaultProxy } from "./fault_proxy.ts";
import { type RegistryProcess, startRegistry } from "./registry_process.ts";

async function withProxy(fn: (reg: RegistryProcess, proxy: FaultProxy) => Promise<void>) {
  const reg = await startRegistry();
  const proxy = startFaultProxy(reg.host);
  try {
    await fn(reg, proxy);
  } finally {
    await proxy.stop();
    await reg.stop();
  }
}

const ACCEPT = "application/vnd.oci.image.manifest.v1+json";

Deno.test("endpointOf() tells the registry endpoints apart", () => {
  const cases: [string, string, string][] = [
    ["GET", "/v2/", "ping"],
    ["GET", "/v2/a/b/tags/list?n=10", "tags"],
    ["GET", "/v2/_catalog", "catalog"],
    ["PUT", "/v2/a/manifests/1.0", "manifest"],
    ["HEAD", `/v2/a/blobs/sha256:${"a".repeat(64)}`, "blob"],
    ["POST", "/v2/a/blobs/uploads/", "upload-start"],
    ["POST", `/v2/a/blobs/uploads/?mount=sha256:${"a".repeat(64)}&from=b`, "mount"],
    ["PATCH", "/v2/a/blobs/uploads/1234-5678?_state=x", "upload-patch"],
    ["PUT", `/v2/a/blobs/uploads/1234?digest=sha256:${"a".repeat(64)}`, "upload-commit"],
    ["DELETE", "/v2/a/blobs/uploads/1234", "upload-cancel"],
  ];
  for (const [method, path, kind] of cases) assert.equal(endpointOf(method, path), kind, path);
});

Deno.test("the fault proxy forwards pushes and reads, upload locations included", async () => {
  await withProxy(async (reg, proxy) => {
    const img = makeImage({ layers: 2, mediaType: "oci", seed: 3 });
    await pushImage(proxy.url, "p/app", img, ["1.0"]);
    const direct = await fetch(`${reg.url}/v2/p/app/manifests/1.0`, {
      headers: { Accept: ACCEPT },
    });
    assert.equal(digestOf(new Uint8Array(await direct.arrayBuffer())), img.manifest.digest);
    assert.ok(proxy.log.some((r) => r.endpoint === "upload-commit" && r.status === 201));
    assert.ok(proxy.log.every((r) => r.action === "pass"));
  });
});

Deno.test("reset-after lets the registry do the work and loses its answer", async () => {
  await withProxy(async (reg, proxy) => {
    const img = makeImage({ layers: 1, mediaType: "oci", seed: 4 });
    proxy.setRules([{ method: "PUT", endpoint: "manifest", action: { kind: "reset-after" } }]);
    await assert.rejects(() => pushImage(proxy.url, "p/app", img, ["1.0"]));
    const head = await fetch(`${reg.url}/v2/p/app/manifests/1.0`, {
      method: "HEAD",
      headers: { Accept: ACCEPT },
    });
    assert.equal(head.status, 200, "the registry stored the manifest");
    assert.deepEqual(proxy.log.at(-1), {
      method: "PUT",
      path: "/v2/p/app/manifests/1.0",
      endpoint: "manifest",
      action: "reset-after",
      status: 201,
    });
  });
});

Deno.test("status rules answer in the registry's place, a set number of times", async () => {
  await withProxy(async (_reg, proxy) => {
    proxy.setRules([{
      endpoint: "ping",
      action: { kind: "status", status: 429, retryAfter: "3" },
      times: 2,
    }]);
    for (const expected of [429, 429, 200]) {
      const res = await fetch(`${proxy.url}/v2/`);
      await res.body?.cancel();
      assert.equal(res.status, expected);
      if (expected === 429) assert.equal(res.headers.get("Retry-After"), "3");
    }
  });
});

Deno.test("truncate sends half of the body and closes", async () => {
  await withProxy(async (_reg, proxy) => {
    const img = makeImage({ layers: 1, mediaType: "oci", seed: 5, layerSize: 8192 });
    await pushImage(proxy.url, "p/app", img, ["1.0"]);
    proxy.setRules([{ endpoint: "blob", method: "GET", action: { kind: "truncate" } }]);
    const res = await fetch(`${proxy.url}/v2/p/app/blobs/${img.layers[0]!.digest}`);
    assert.equal(res.status, 200);
    await assert.rejects(() => res.arrayBuffer());
  });
});

Deno.test("random faults hit about the rate asked, never more than twice in a row", async () => {
  await withProxy(async (_reg, proxy) => {
    proxy.setRandom({ rate: 0.3, actions: [{ kind: "status", status: 503 }], seed: 7 });
    let failed = 0;
    let row = 0;
    for (let i = 0; i < 200; i++) {
      const res = await fetch(`${proxy.url}/v2/`);
      await res.body?.cancel();
      if (res.status === 503) {
        failed++;
        row++;
        assert.ok(row <= 2, "three faults in a row");
      } else {
        row = 0;
      }
    }
    assert.ok(failed > 30 && failed < 90, `${failed} faults in 200`);
  });
});

Deno.test("waitFor() resolves once a matching request is seen, stall holds it", async () => {
  await withProxy(async (_reg, proxy) => {
    proxy.setRules([{ endpoint: "tags", action: { kind: "stall" } }]);
    const controller = new AbortController();
    const pending = fetch(`${proxy.url}/v2/p/app/tags/list`, { signal: controller.signal })
      .catch((e) => e);
    const seen = await proxy.waitFor((r) => r.endpoint === "tags");
    assert.equal(seen.action, "stall");
    controller.abort();
    assert.ok((await pending) instanceof Error);
  });
});
