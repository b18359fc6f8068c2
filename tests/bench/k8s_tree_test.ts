import assert from "node:assert/strict";
import { Logger } from "../../src/log.ts";
import { computeEdges, loadManifests } from "../../src/manifest/mod.ts";
import { CORPUS_DIR } from "../manifest/corpus.ts";
import {
  archOf,
  decideRoles,
  EXTRA_REGIONS,
  fixDigestText,
  loadCorpusModel,
  type SubManifest,
} from "./k8s_tree.ts";
import {
  chooseMissing,
  edgeCount,
  expectedCopies,
  layoutOf,
  placements,
  regionHost,
  STAGING,
  writeSimTree,
} from "./k8s_sim_tree.ts";
import { buildSyntheticTree } from "./synthetic_content.ts";

const hex = (c: string) => `sha256:${c.repeat(64)}`;

/** A sub-manifest shaped like k8s-staging-kubernetes: an index image and its platforms. */
const SMALL: SubManifest[] = [{
  name: "k8s-staging-demo",
  source: "gcr.io/k8s-staging-demo",
  paths: ["k8s-artifacts-prod/images", "k8s-artifacts-prod/images/demo"],
  serviceAccount: "sa@example.iam.gserviceaccount.com",
  images: [
    {
      name: "kube-thing",
      digests: [{ digest: hex("a"), tags: ["v1.0"] }, { digest: hex("b"), tags: ["v2.0"] }],
    },
    { name: "kube-thing-amd64", digests: [{ digest: hex("c"), tags: ["v1.0"] }] },
    { name: "kube-thing-arm64", digests: [{ digest: hex("d"), tags: ["v1.0"] }] },
    { name: "tool", digests: [{ digest: hex("e"), tags: ["v1.0-s390x"] }] },
  ],
}];

Deno.test("archOf() finds an architecture only as a whole part of a name", () => {
  assert.equal(archOf("kube-proxy-arm64"), "arm64");
  assert.equal(archOf("v1.2.3-s390x"), "s390x");
  assert.equal(archOf("windows-service-proxy"), "windows");
  assert.equal(archOf("charm"), undefined);
  assert.equal(archOf("v1.0"), undefined);
});

Deno.test("fixDigestText() pads only a 63-digit digest", () => {
  const ok = hex("1");
  assert.equal(fixDigestText(`"${ok}": []`), `"${ok}": []`);
  assert.equal(fixDigestText(`"${ok.slice(0, -1)}": []`), `"${ok.slice(0, -1)}0": []`);
});

Deno.test("decideRoles() makes indexes of arch-free digests, children of their siblings' digests", () => {
  const roles = decideRoles(SMALL);
  assert.deepEqual(roles.indexes.get(hex("a")), [hex("c"), hex("d")]);
  assert.deepEqual(roles.indexes.get(hex("b")), []);
  assert.deepEqual([...roles.images.keys()].sort(), [hex("c"), hex("d"), hex("e")]);
  assert.equal(roles.images.get(hex("e")), "s390x");
});

Deno.test("buildSyntheticTree() is deterministic; indexes name their children's stand-ins", () => {
  const one = buildSyntheticTree(decideRoles(SMALL));
  const two = buildSyntheticTree(decideRoles(SMALL));
  assert.deepEqual([...one.digests], [...two.digests]);
  const a = one.store.manifests.get(one.digests.get(hex("a"))!)!;
  assert.deepEqual(a.children, [one.digests.get(hex("c")), one.digests.get(hex("d"))]);
  const b = one.store.manifests.get(one.digests.get(hex("b"))!)!;
  assert.equal(b.children.length, 2, "an index without siblings gets two children of its own");
  assert.deepEqual(one.counts, {
    named: 5,
    indexes: 2,
    indexesWithNamedChildren: 1,
    ownChildren: 2,
    childEdges: 4,
    manifests: 7,
    blobs: 10,
  });
});

Deno.test("chooseMissing() and expectedCopies() name every destination of the chosen digests", () => {
  const tree = buildSyntheticTree(decideRoles(SMALL));
  const missing = chooseMissing(SMALL, 2);
  assert.equal(missing.size, 2);
  assert.deepEqual(chooseMissing(SMALL, 2), missing);
  const { destinations } = placements(SMALL, ["r1", "r2"], tree);
  // Two paths in two regions: four copies per digest.
  assert.equal(expectedCopies(destinations, missing).length, 8);
});

Deno.test("writeSimTree() writes a tree cip reads with the model's edges and repositories", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cip-sim-tree-test-" });
  try {
    const { model, regions } = await loadCorpusModel(CORPUS_DIR, (n) => n === "k8s-staging-etcd");
    assert.equal(regions.length, 20);
    const use = [...regions.slice(0, 2), EXTRA_REGIONS[0]!];
    const tree = buildSyntheticTree(decideRoles(model));
    const hostNo = new Map([STAGING, ...use.map(regionHost)].map((h, i) => [h, i]));
    await writeSimTree(
      dir,
      CORPUS_DIR,
      model,
      use,
      tree,
      (h) => `127.0.0.1:${5000 + hostNo.get(h)!}`,
    );
    const { manifests, problems } = await loadManifests({ thinDir: dir }, new Logger("error"));
    assert.equal(problems.skipped.length, 0);
    const set = computeEdges(manifests);
    assert.equal(set.edges.length, edgeCount(model, use.length));
    const { sources, destinations } = placements(model, use, tree);
    const dstRepos = new Set(set.edges.map((e) => `${e.dst.name}/${e.image}`));
    const layouts = layoutOf(destinations);
    assert.equal(dstRepos.size, [...layouts.values()].reduce((n, l) => n + l.size, 0));
    assert.equal(new Set(set.edges.map((e) => e.digest)).size, tree.counts.named);
    assert.ok(sources.every((p) => p.host === STAGING));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadCorpusModel() reads the whole corpus, its one invalid digest fixed", async () => {
  const { model, regions } = await loadCorpusModel(CORPUS_DIR);
  assert.equal(model.length, 70);
  assert.equal(regions.length, 20);
  const digests = new Set(
    model.flatMap((s) => s.images.flatMap((i) => i.digests.map((d) => d.digest))),
  );
  assert.equal(digests.size, 15_799);
  const roles = decideRoles(model);
  assert.equal(roles.indexes.size + roles.images.size, digests.size);
});
