import assert from "node:assert/strict";
import { SimRegistry } from "../fakes/sim_registry.ts";
import type { SimHost } from "../fakes/sim_servers.ts";
import { HostState } from "../fakes/sim_store.ts";
import { decideRoles, type SubManifest } from "./k8s_tree.ts";
import { layoutOf, placements, regionHost, STAGING } from "./k8s_sim_tree.ts";
import { simMinimum } from "./sim_minimum.ts";
import { buildSyntheticTree } from "./synthetic_content.ts";

const hex = (c: string) => `sha256:${c.repeat(64)}`;

/** An index `app:v1` with its platforms in sibling repositories, and `tool:v1`. */
const MODEL: SubManifest[] = [{
  name: "k8s-staging-demo",
  source: "gcr.io/k8s-staging-demo",
  paths: ["k8s-artifacts-prod/images/demo"],
  images: [
    { name: "app", digests: [{ digest: hex("a"), tags: ["v1"] }] },
    { name: "app-amd64", digests: [{ digest: hex("b"), tags: ["v1"] }] },
    { name: "app-arm64", digests: [{ digest: hex("c"), tags: ["v1"] }] },
    { name: "tool", digests: [{ digest: hex("d"), tags: ["v1", "latest"] }] },
  ],
}];

/** The fakes' state with `missing` absent from the region, and the minimum of `run`. */
function minimumOf(missing: string[], run: "no-op" | "dry-run" | "promote") {
  const tree = buildSyntheticTree(decideRoles(MODEL));
  const { sources, destinations } = placements(MODEL, ["r1"], tree);
  const hosts = new Map<string, SimHost>();
  for (const name of [STAGING, regionHost("r1")]) {
    const state = new HostState(tree.store);
    hosts.set(name, { name, address: name, state, registry: new SimRegistry(state) });
  }
  const gone = new Set(missing);
  for (const ps of [sources, destinations.filter((p) => !gone.has(p.corpus))]) {
    for (const [name, layout] of layoutOf(ps)) {
      for (const [repo, ds] of layout) {
        for (const [d, tags] of ds) hosts.get(name)!.state.seed(repo, d, [...tags]);
      }
    }
  }
  const min = simMinimum({ hosts, sources, destinations, missing: gone, tree, run });
  return Object.fromEntries([...min].map(([h, k]) => [h, Object.fromEntries([...k].sort())]));
}

Deno.test("simMinimum(): a no-op lists each destination repository and reads no source", () => {
  assert.deepEqual(minimumOf([], "no-op"), { "r1-docker.pkg.dev": { "tags/list": 4 } });
});

Deno.test("simMinimum(): a dry run also reads each missing digest at the source", () => {
  assert.deepEqual(minimumOf([hex("a"), hex("d")], "dry-run"), {
    "gcr.io": { "manifest GET": 2 },
    "r1-docker.pkg.dev": { "tags/list": 4 },
  });
});

Deno.test("simMinimum(): a promotion mounts the children's blobs from their own repositories", () => {
  // app@a: an index of b and c, which app-amd64 and app-arm64 hold (their blobs are mounted);
  // tool@d (two tags): an index too (no architecture in its name), of two children of its own
  // whose blobs are uploaded into the absent repository, unasked.
  assert.deepEqual(minimumOf([hex("a"), hex("d")], "promote"), {
    "gcr.io": { "blob GET": 4, "manifest GET": 6 },
    "r1-docker.pkg.dev": {
      "manifest PUT": 7,
      "mount POST": 4,
      "tags/list": 4,
      "upload POST": 4,
      "upload PUT": 4,
    },
  });
});
