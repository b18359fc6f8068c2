/**
 * The real thin manifest tree of registry.k8s.io (testdata/corpus): it loads with its one
 * invalid digest left out, and manifest-based snapshots of its destinations print what the
 * original promoter's logic gives, computed here independently from the raw YAML.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { Logger } from "../../src/log.ts";
import { type EdgeSet, edgesOf, loadManifests } from "../../src/manifest/mod.ts";
import { formatSnapshot, snapshotFromEdges } from "../../src/snapshot/mod.ts";
import { runCli } from "../cli/run_cli.ts";
import { CORPUS_DIR } from "./corpus.ts";

/** The one invalid digest of the corpus (63 hex digits). */
const BAD = "sha256:23eb4b1775fbaa2adca55c73cf0341e1224d6308689b6f4b3aa1523312eb81c";

let cached: Promise<EdgeSet> | undefined;

/** The corpus's edges, loaded once for all tests of this file. */
function corpusEdges(): Promise<EdgeSet> {
  cached ??= loadManifests({ thinDir: CORPUS_DIR }, new Logger("error", () => {})).then(edgesOf);
  return cached;
}

Deno.test("the real corpus loads with only its invalid digest left out", async () => {
  const loaded = await loadManifests({ thinDir: CORPUS_DIR }, new Logger("error", () => {}));
  assert.equal(loaded.manifests.length, 70);
  assert.deepEqual(loaded.problems.toError().errors.map((e) => e.message), [
    `${CORPUS_DIR}/images/k8s-staging-ingress-nginx/images.yaml:229:5: images[7].dmap."${BAD}": ` +
    `invalid digest: ${BAD} (expected sha256: followed by 64 lowercase hex digits)`,
  ]);
  assert.deepEqual(loaded.problems.skipped.map((s) => `${s.kind} ${s.name}`), [
    `digest e2e-test-httpbin@${BAD}`,
  ]);
  assert.deepEqual(loaded.problems.remarks.filter((r) => r.level === "warn"), []);
});

Deno.test("cip --parse-only reports the corpus's invalid digest and nothing else, exit 2", async () => {
  const r = await runCli(["run", `--thin-manifest-dir=${CORPUS_DIR}`, "--parse-only"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.deepEqual(r.stderr.trimEnd().split("\n"), [
    `ERROR: ${CORPUS_DIR}/images/k8s-staging-ingress-nginx/images.yaml:229:5: ` +
    `images[7].dmap."${BAD}": invalid digest: ${BAD} (expected sha256: followed by 64 ` +
    "lowercase hex digits)",
    "cip: 1 problem found in the manifests",
  ]);
});

/** A registry entry and an image entry as the raw YAML has them (every scalar a string). */
interface RawRegistry {
  name: string;
  src?: string;
}
interface RawImage {
  name: string;
  dmap?: Record<string, string[] | null> | null | "";
}

/** Every sub-manifest of the corpus, read with the failsafe schema: all scalars as written. */
function rawCorpus(): { registries: RawRegistry[]; images: RawImage[] }[] {
  const out = [];
  for (const e of [...Deno.readDirSync(`${CORPUS_DIR}/manifests`)]) {
    const regs = parse(
      Deno.readTextFileSync(`${CORPUS_DIR}/manifests/${e.name}/promoter-manifest.yaml`),
      { schema: "failsafe" },
    );
    const images = parse(Deno.readTextFileSync(`${CORPUS_DIR}/images/${e.name}/images.yaml`), {
      schema: "failsafe",
    });
    out.push({ registries: regs.registries, images: images ?? [] });
  }
  return out;
}

/**
 * The original promoter's manifest-based snapshot of `registry`, written independently: every
 * destination equal to the registry or below it (by path, not by string prefix), its images
 * named by the path below the registry, the union of their digests and tags, names, digests and
 * tags sorted, in the original's YAML form. Digests that are not valid are left out.
 */
function expectedSnapshot(
  raw: ReturnType<typeof rawCorpus>,
  registry: string,
): string {
  const byName = new Map<string, Map<string, Set<string>>>();
  for (const m of raw) {
    for (const r of m.registries) {
      if (r.src === "true") continue;
      if (r.name !== registry && !r.name.startsWith(`${registry}/`)) continue;
      const below = r.name.slice(registry.length + 1);
      for (const img of m.images) {
        const name = below === "" ? img.name : `${below}/${img.name}`;
        const digests = byName.get(name) ?? new Map<string, Set<string>>();
        byName.set(name, digests);
        for (const [digest, tags] of Object.entries(img.dmap || {})) {
          if (!/^sha256:[0-9a-f]{64}$/.test(digest)) continue;
          const set = digests.get(digest) ?? new Set<string>();
          digests.set(digest, set);
          for (const t of tags ?? []) set.add(t);
        }
      }
    }
  }
  const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  let text = "";
  for (const name of [...byName.keys()].sort(byteOrder)) {
    text += `- name: ${name}\n  dmap:\n`;
    const digests = byName.get(name)!;
    for (const digest of [...digests.keys()].sort(byteOrder)) {
      const tags = [...digests.get(digest)!].sort(byteOrder).map((t) => JSON.stringify(t));
      text += `    ${JSON.stringify(digest)}: [${tags.join(", ")}]\n`;
    }
  }
  return text === "" ? "[]\n" : text;
}

/** The destination registries of the corpus. */
function destinations(raw: ReturnType<typeof rawCorpus>): string[] {
  const names = new Set<string>();
  for (const m of raw) for (const r of m.registries) if (r.src !== "true") names.add(r.name);
  return [...names].sort();
}

Deno.test("manifest-based snapshots of the corpus's regional registries are the original's", async () => {
  const raw = rawCorpus();
  const { edges } = await corpusEdges();
  const regions = [...new Set(destinations(raw).map((n) => n.split("/").slice(0, 3).join("/")))];
  assert.equal(regions.length, 20);
  for (const registry of regions) {
    const ours = formatSnapshot(snapshotFromEdges(edges, registry).images, "yaml");
    assert.equal(ours, expectedSnapshot(raw, registry), registry);
  }
});

Deno.test("manifest-based snapshots of every destination of one region are the original's, by path", async () => {
  const raw = rawCorpus();
  const { edges } = await corpusEdges();
  const region = "us-central1-docker.pkg.dev/k8s-artifacts-prod/images/";
  const dsts = destinations(raw).filter((n) => n.startsWith(region));
  assert.ok(dsts.length >= 70, `${dsts.length} destinations`);
  // cluster-api must not take in cluster-api-aws: matching is by path, not by string prefix.
  assert.ok(dsts.includes(`${region}cluster-api`) && dsts.includes(`${region}cluster-api-aws`));
  for (const registry of dsts) {
    const ours = formatSnapshot(snapshotFromEdges(edges, registry).images, "yaml");
    assert.equal(ours, expectedSnapshot(raw, registry), registry);
  }
  const capi = formatSnapshot(snapshotFromEdges(edges, `${region}cluster-api`).images, "yaml");
  assert.ok(!capi.includes("cluster-api-aws"));
});

Deno.test("cip --manifest-based-snapshot-of prints the corpus's snapshot and exits 1 for the digest left out", async () => {
  const registry = "europe-west1-docker.pkg.dev/k8s-artifacts-prod/images/ingress-nginx";
  const r = await runCli([
    "run",
    `--thin-manifest-dir=${CORPUS_DIR}`,
    `--manifest-based-snapshot-of=${registry}`,
  ]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, expectedSnapshot(rawCorpus(), registry));
  assert.match(r.stderr, new RegExp(`left out of this run: digest e2e-test-httpbin@${BAD}`));
});
