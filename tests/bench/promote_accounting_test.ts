import assert from "node:assert/strict";
import { makeImage, makeIndex } from "../fixtures/images.ts";
import { againstMinimum, kindsOf, workloadMinimum } from "./promote_accounting.ts";
import type { BenchImage } from "./promote_images.ts";

const layer = new Uint8Array(64).fill(7);
const a = makeImage({ layers: [layer], mediaType: "oci", seed: 1 });
const b = makeImage({ layers: [layer, new Uint8Array(64).fill(9)], mediaType: "docker", seed: 2 });
const index = makeIndex([a, b], "oci");
const images: BenchImage[] = [
  { repo: "bench/x", tag: "v1", image: a, digest: a.manifest.digest },
  { repo: "bench/y", tag: "v1", index, digest: index.manifest.digest },
];

const flat = (c: Map<string, Map<string, number>>) =>
  Object.fromEntries([...c].map(([h, k]) => [h, Object.fromEntries([...k].sort())]));

Deno.test("workloadMinimum(): first-time copies upload each blob once per host, mount the rest", () => {
  const min = workloadMinimum({ copies: images, present: [], named: images }, "cip", false);
  // x: a's config and the layer uploaded; y: a's two blobs mounted, b's config and new layer
  // uploaded (b's other layer is a's, already there).
  assert.deepEqual(flat(min), {
    dst: {
      "manifest PUT": 4,
      "mount POST": 2,
      "tags/list": 2,
      "upload POST": 4,
      "upload PUT": 4,
    },
    src: { "blob GET": 4, "manifest GET": 3 },
  });
});

Deno.test("workloadMinimum(): a no-op lists each destination repository once, no source", () => {
  const min = workloadMinimum({ copies: [], present: images, named: images }, "cip", true);
  assert.deepEqual(flat(min), { dst: { "tags/list": 2 } });
  // Without the extension, each listed tag's digest is asked for.
  const plain = workloadMinimum({ copies: [], present: images, named: images }, "cip", false);
  assert.deepEqual(flat(plain), { dst: { "manifest HEAD": 2, "tags/list": 2 } });
});

Deno.test("workloadMinimum(): new images into existing repositories check or mount each blob", () => {
  const c = makeImage({ layers: [layer, new Uint8Array(64).fill(3)], mediaType: "oci", seed: 3 });
  const more: BenchImage[] = [{ repo: "bench/x", tag: "v2", image: c, digest: c.manifest.digest }];
  const min = workloadMinimum(
    { copies: more, present: images, named: [...images, ...more] },
    "cip",
    true,
  );
  // The shared layer is on the host: one mount; the config and the new layer: HEAD + upload.
  assert.deepEqual(flat(min), {
    dst: {
      "blob HEAD": 2,
      "manifest PUT": 1,
      "mount POST": 1,
      "tags/list": 2,
      "upload POST": 2,
      "upload PUT": 2,
    },
    src: { "blob GET": 2, "manifest GET": 1 },
  });
});

Deno.test("kindsOf() and againstMinimum() count a registry log by kind against the minimum", () => {
  const kinds = kindsOf({
    requests: 3,
    byMethod: {},
    bytesOut: 0,
    lines: [
      { method: "GET", uri: "/v2/cip/x/tags/list?n=1000", status: 404 },
      { method: "HEAD", uri: `/v2/cip/x/blobs/sha256:${"0".repeat(64)}`, status: 404 },
      { method: "GET", uri: "/v2/cip/y/tags/list?n=1000", status: 404 },
    ],
  });
  assert.deepEqual(Object.fromEntries(kinds), { "tags/list": 2, "blob HEAD": 1 });
  const line = againstMinimum(
    new Map([["dst", kinds]]),
    new Map([["dst", new Map([["tags/list", 2]])]]),
  );
  assert.match(
    line,
    /^3 requests vs minimum 2: 1\.50x \(target <= 1\.05x: NOT met\); differs: dst blob HEAD 1 \(min 0\)$/,
  );
});
