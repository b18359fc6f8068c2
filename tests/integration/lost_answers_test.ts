/**
 * Writes that survive lost answers: every write step of a promotion, its answer lost after the
 * registry did the work (or refused in its place), and a whole promotion through proxies that
 * fault about one request in eight. Each must converge in one run, exact to the byte (read
 * back with skopeo), and a rerun must write nothing. Real docker-registry processes.
 */
import assert from "node:assert/strict";
import {
  digestOf,
  type ImageFixture,
  type IndexFixture,
  makeImage,
  makeIndex,
  pushImage,
  pushIndex,
} from "../fixtures/images.ts";
import { runCli } from "../cli/run_cli.ts";
import {
  type FaultAction,
  type FaultProxy,
  type FaultRule,
  startFaultProxy,
} from "./fault_proxy.ts";
import { type LoggedRegistry, startLoggedRegistry, writesOf } from "./logged_registry.ts";
import { assertPromoted, type Staging, writeManifest } from "./promote_fixture.ts";
import { requireBinary } from "./registry_process.ts";
import { skopeoRaw } from "./skopeo.ts";

/** Source and destination registries, each behind a fault proxy. */
interface World {
  src: LoggedRegistry;
  dst: LoggedRegistry;
  srcProxy: FaultProxy;
  dstProxy: FaultProxy;
  dir: string;
}

async function withWorld(fn: (w: World) => Promise<void>): Promise<void> {
  requireBinary("skopeo");
  const [src, dst] = await Promise.all([startLoggedRegistry(), startLoggedRegistry()]);
  const srcProxy = startFaultProxy(src.host);
  const dstProxy = startFaultProxy(dst.host);
  const dir = await Deno.makeTempDir({ prefix: "cip-lost-answers-" });
  try {
    await fn({ src, dst, srcProxy, dstProxy, dir });
  } finally {
    await Promise.all([srcProxy.stop(), dstProxy.stop()]);
    await Promise.all([src.stop(), dst.stop()]);
    await Deno.remove(dir, { recursive: true });
  }
}

/** Pushes a small set (an image with a blob streamed in parts, and an index) to the source. */
async function smallSet(url: string): Promise<Staging["dmap"]> {
  const big = makeImage({ layers: 1, mediaType: "oci", seed: 91, layerSize: 1536 * 1024 });
  const small = makeImage({ layers: 2, mediaType: "docker", seed: 92 });
  const kids = ["amd64", "arm64"].map((architecture, i) =>
    makeImage({
      layers: 1,
      mediaType: "oci",
      seed: 93 + i,
      platform: { architecture, os: "linux" },
    })
  );
  const index = makeIndex(kids, "oci");
  await pushImage(url, "staging/big", big, ["1.0"]);
  await pushImage(url, "staging/small", small, ["1.0", "latest"]);
  await pushIndex(url, "staging/multi", index, ["v1"]);
  return {
    big: { [big.manifest.digest]: ["1.0"] },
    small: { [small.manifest.digest]: ["1.0", "latest"] },
    multi: {
      [index.manifest.digest]: ["v1"],
      ...Object.fromEntries(kids.map((k) => [k.manifest.digest, []])),
    },
  };
}

/** Promotes `dmap` through the proxies once; it must succeed, be exact, and a rerun write nothing. */
async function promoteConverges(w: World, dmap: Staging["dmap"]): Promise<void> {
  const manifest = await writeManifest(
    w.dir,
    `${w.srcProxy.host}/staging`,
    [`${w.dstProxy.host}/prod`],
    dmap,
  );
  const run = await runCli(["run", `--manifest=${manifest}`, "--confirm"]);
  assert.equal(run.code, 0, run.stderr);
  await assertPromoted(w.dst.url, "prod", dmap);
  for (const [name, digests] of Object.entries(dmap)) {
    for (const [digest, tags] of Object.entries(digests)) {
      const raw = await skopeoRaw(`${w.dst.host}/prod/${name}@${digest}`);
      assert.equal(digestOf(raw), digest);
      for (const tag of tags) {
        assert.equal(digestOf(await skopeoRaw(`${w.dst.host}/prod/${name}:${tag}`)), digest);
      }
    }
  }
  w.dstProxy.setRules([]);
  w.dstProxy.setRandom(null);
  w.srcProxy.setRules([]);
  w.srcProxy.setRandom(null);
  await w.dst.mark();
  const again = await runCli(["run", `--manifest=${manifest}`, "--confirm"]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(writesOf(await w.dst.served()), []);
}

const RESET: FaultAction = { kind: "reset-after" };

/** Each write step with its first answer lost after the registry did the work. */
const STEPS: [string, FaultRule][] = [
  ["the upload start (POST)", { endpoint: "upload-start", action: RESET, times: 1 }],
  ["the streamed upload (PATCH)", { endpoint: "upload-patch", action: RESET, times: 1 }],
  ["the upload commit (PUT)", { endpoint: "upload-commit", action: RESET, times: 1 }],
  ["every upload commit (PUT)", { endpoint: "upload-commit", action: RESET, times: 12 }],
  ["the manifest PUT of a child", {
    method: "PUT",
    endpoint: "manifest",
    path: /\/manifests\/sha256:/,
    action: RESET,
    times: 1,
  }],
  ["the manifest PUT under a tag", {
    method: "PUT",
    endpoint: "manifest",
    path: /\/manifests\/v1$/,
    action: RESET,
    times: 1,
  }],
  ["a second tag's PUT", {
    method: "PUT",
    endpoint: "manifest",
    path: /\/small\/manifests\/latest$/,
    action: RESET,
    times: 1,
  }],
];

for (const [what, rule] of STEPS) {
  Deno.test(`a promotion converges in one run when ${what} loses its answer`, async () => {
    await withWorld(async (w) => {
      const dmap = await smallSet(w.src.url);
      w.dstProxy.setRules([rule]);
      await promoteConverges(w, dmap);
      assert.ok(
        w.dstProxy.log.some((r) => r.action === "reset-after"),
        "the fault never happened",
      );
    });
  });
}

Deno.test("a promotion converges when a mount loses its answer", async () => {
  await withWorld(async (w) => {
    const dmap = await smallSet(w.src.url);
    // Two destinations on one host: the second gets blobs by mount from the first.
    const manifest = await writeManifest(
      w.dir,
      `${w.srcProxy.host}/staging`,
      [`${w.dstProxy.host}/prod`, `${w.dstProxy.host}/mirror`],
      dmap,
    );
    w.dstProxy.setRules([{ endpoint: "mount", action: RESET, times: 3 }]);
    const run = await runCli(["run", `--manifest=${manifest}`, "--confirm"]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(w.dstProxy.log.some((r) => r.endpoint === "mount" && r.action === "reset-after"));
    await assertPromoted(w.dst.url, "prod", dmap);
    await assertPromoted(w.dst.url, "mirror", dmap);
  });
});

Deno.test("a promotion converges when writes are refused with 503, 429 and Retry-After", async () => {
  await withWorld(async (w) => {
    const dmap = await smallSet(w.src.url);
    w.dstProxy.setRules([
      { endpoint: "upload-commit", action: { kind: "status", status: 503 }, times: 2 },
      {
        endpoint: "upload-start",
        action: { kind: "status", status: 429, retryAfter: "1" },
        times: 1,
      },
      { method: "PUT", endpoint: "manifest", action: { kind: "status", status: 502 }, times: 2 },
    ]);
    await promoteConverges(w, dmap);
  });
});

/** 100 images: 80 single ones (a few with blobs streamed in parts) and 20 indexes of 2. */
async function largeSet(url: string): Promise<Staging["dmap"]> {
  const dmap: Staging["dmap"] = {};
  const pushes: Promise<void>[] = [];
  for (let i = 0; i < 80; i++) {
    const img: ImageFixture = makeImage({
      layers: 2,
      mediaType: i % 2 ? "oci" : "docker",
      seed: 1000 + i,
      layerSize: i % 20 === 0 ? 1200 * 1024 : 2048,
    });
    dmap[`img${i}`] = { [img.manifest.digest]: [`v${i}`] };
    pushes.push(pushImage(url, `staging/img${i}`, img, [`v${i}`]));
  }
  for (let i = 0; i < 20; i++) {
    const kids = ["amd64", "arm64"].map((architecture, k) =>
      makeImage({
        layers: 1,
        mediaType: "oci",
        seed: 5000 + i * 10 + k,
        platform: { architecture, os: "linux" },
      })
    );
    const index: IndexFixture = makeIndex(kids, i % 2 ? "oci" : "docker");
    dmap[`multi${i}`] = {
      [index.manifest.digest]: ["v1"],
      ...Object.fromEntries(kids.map((k) => [k.manifest.digest, []])),
    };
    pushes.push(pushIndex(url, `staging/multi${i}`, index, ["v1"]));
  }
  await Promise.all(pushes);
  return dmap;
}

Deno.test("100 images with indexes converge in one run through proxies faulting 12% of requests", async () => {
  await withWorld(async (w) => {
    const dmap = await largeSet(w.src.url);
    const faults: FaultAction[] = [
      RESET,
      { kind: "status", status: 503 },
      { kind: "status", status: 500 },
      { kind: "status", status: 429 },
      { kind: "status", status: 429, retryAfter: "0" },
      { kind: "truncate" },
    ];
    w.srcProxy.setRandom({ rate: 0.12, actions: faults, seed: 11 });
    w.dstProxy.setRandom({ rate: 0.12, actions: faults, seed: 12 });
    w.dstProxy.setRules([
      {
        endpoint: "upload-start",
        action: { kind: "status", status: 429, retryAfter: "1" },
        times: 2,
      },
    ]);
    await promoteConverges(w, dmap);
    const faulted = [...w.srcProxy.log, ...w.dstProxy.log].filter((r) => r.action !== "pass");
    const all = w.srcProxy.log.length + w.dstProxy.log.length;
    assert.ok(faulted.length >= all * 0.08, `only ${faulted.length} of ${all} requests faulted`);
    assert.ok(faulted.some((r) => r.endpoint === "upload-commit" && r.action === "reset-after"));
  });
});
