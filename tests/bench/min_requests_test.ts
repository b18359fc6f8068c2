import assert from "node:assert/strict";
import { type Counts, minimumRequests, sum } from "./min_requests.ts";
import { checkPlan, readPlan } from "./sim_checks.ts";
import { floorMs } from "./sim_figures.ts";

const asObject = (c: Counts) =>
  Object.fromEntries([...c].map(([h, k]) => [h, Object.fromEntries([...k].sort())]));

Deno.test("minimumRequests(): a first copy into an absent repository uploads, a second mounts", () => {
  const image = { digest: "m1", blobs: ["config", "layer"], tags: 2 };
  const counts = minimumRequests({
    listings: new Map([["dst", 2]]),
    sourceHost: "src",
    copies: [
      { host: "dst", repo: "a", exists: false, manifests: [image] },
      { host: "dst", repo: "b", exists: false, manifests: [image] },
    ],
  });
  assert.deepEqual(asObject(counts), {
    dst: {
      "manifest PUT": 4,
      "mount POST": 2,
      "tags/list": 2,
      "upload POST": 2,
      "upload PUT": 2,
    },
    src: { "blob GET": 2, "manifest GET": 1 },
  });
  assert.equal(sum(counts), 15);
  assert.equal(sum(counts, "src"), 3);
});

Deno.test("minimumRequests(): an existing repository is asked for each blob; present ones stop there", () => {
  const counts = minimumRequests({
    listings: new Map(),
    sourceHost: "src",
    copies: [{
      host: "dst",
      repo: "a",
      exists: true,
      manifests: [
        { digest: "child", blobs: ["base", "new"], tags: 0 },
        { digest: "index", blobs: [], tags: 1 },
      ],
    }],
    presentIn: (_h, _r, b) => b === "base",
  });
  assert.deepEqual(asObject(counts), {
    dst: { "blob HEAD": 2, "manifest PUT": 2, "upload POST": 1, "upload PUT": 1 },
    src: { "blob GET": 1, "manifest GET": 2 },
  });
});

Deno.test("minimumRequests(): a blob another repository of the host holds is mounted, unasked", () => {
  const counts = minimumRequests({
    listings: new Map(),
    sourceHost: "src",
    copies: [{
      host: "dst",
      repo: "a",
      exists: true,
      manifests: [{ digest: "m", blobs: ["x"], tags: 1 }],
    }],
    knownOnHost: () => true,
    extra: [{ host: "src", kind: "manifest GET", count: 3 }],
  });
  assert.deepEqual(asObject(counts), {
    dst: { "manifest PUT": 1, "mount POST": 1 },
    src: { "manifest GET": 4 },
  });
});

Deno.test("floorMs(): the slowest host sets the floor, by quota or by round trips", () => {
  const counts: Counts = new Map([
    ["a", new Map([["tags/list", 100]])],
    ["b", new Map([["tags/list", 400], ["manifest GET", 100]])],
  ]);
  const f = floorMs(counts, { requestsPerSecond: 50, meanLatencyMs: 35, inFlight: 20 });
  assert.equal(f.quota, 10_000);
  assert.equal(f.latency, 25 * 35);
  assert.equal(f.floor, 10_000);
  assert.equal(f.host, "b");
  const slow = floorMs(counts, { requestsPerSecond: 0, meanLatencyMs: 100, inFlight: 1 });
  assert.equal(slow.floor, 50_000);
});

const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;

/** A plan as cip's planText writes it. */
const PLAN = `Promotion plan (dry run; nothing is written without --confirm):

127.0.0.1:1/k8s-artifacts-prod/images/x (from 127.0.0.1:0/k8s-staging-x):
  to copy (2):
    app@${D1} tags v1 (application/vnd.oci.image.index.v1+json, 2 children)
    app-amd64@${D2} no tags (application/vnd.oci.image.manifest.v1+json)
  already present: 7

127.0.0.1:2/k8s-artifacts-prod/images/x (from 127.0.0.1:0/k8s-staging-x):
  already present: 9
`;

Deno.test("readPlan() and checkPlan() hold cip's plan to exactly the expected copies", () => {
  const plan = readPlan(PLAN);
  const expected = [
    `127.0.0.1:1/k8s-artifacts-prod/images/x app-amd64@${D2}`,
    `127.0.0.1:1/k8s-artifacts-prod/images/x app@${D1}`,
  ];
  assert.deepEqual(plan.copies, expected);
  checkPlan(plan, expected, "test");
  assert.throws(() => checkPlan(plan, expected.slice(1), "test"), /1 unexpected copies/);
  assert.throws(() => checkPlan(plan, [...expected, "x y@z"], "test"), /1 copies left out/);
  const tagged = readPlan(
    PLAN.replace("  already present: 9", `  to tag (1):\n    app@${D1} add v2`),
  );
  assert.throws(() => checkPlan(tagged, expected, "test"), /1 tags to add/);
});
