import assert from "node:assert/strict";
import { join } from "node:path";
import { Logger } from "../../../src/log.ts";
import type { ManifestInput } from "../../../src/manifest/mod.ts";
import {
  BaseManifestError,
  type BaseRequest,
  readBase,
  repoPlace,
} from "../../../src/manifest/git_base/mod.ts";
import { d, imagesYaml, plainManifest, registriesYaml } from "../../fixtures/manifest_text.ts";
import { tempRepo } from "./git_repo.ts";

const quiet = new Logger("error", () => {});
const REGS = registriesYaml("gcr.io/stage", ["gcr.io/prod"]);
const images = (tag: string) => imagesYaml([{ name: "app", dmap: { [d("a")]: [tag] } }]);

/** The request `--diff-base=REV` makes. */
const diffBase = (rev: string): BaseRequest => ({ kind: "rev", rev, scope: false, why: "a test" });

/** The manifests at `rev`, read as a dry run with `--diff-base=REV` reads them. */
async function baseAt(input: ManifestInput, rev: string, log = quiet) {
  const base = await readBase(input, diffBase(rev), { dryRun: true, skipped: [], log });
  assert.ok(base);
  return base.state;
}

Deno.test("readBase() reads a thin directory as committed, named like the head's files", async () => {
  const repo = await tempRepo();
  try {
    const base = await repo.commit({
      "k8s/manifests/a/promoter-manifest.yaml": REGS,
      "k8s/images/a/images.yaml": images("1.0"),
      "k8s/images/a/notes.txt": "ignored",
    }, "base");
    await Deno.writeTextFile(join(repo.dir, "k8s/images/a/images.yaml"), images("dirty"));
    const thinDir = join(repo.dir, "k8s");
    const place = await repoPlace({ thinDir });
    assert.equal(place.prefix, "k8s/");
    const state = await baseAt({ thinDir }, base);
    assert.equal(state.manifests.length, 1);
    const m = state.manifests[0]!;
    assert.equal(m.file, `${thinDir}/manifests/a/promoter-manifest.yaml`);
    assert.equal(m.imagesFile, `${thinDir}/images/a/images.yaml`);
    assert.equal(m.images[0]!.digests[0]!.pos.file, m.imagesFile);
    assert.deepEqual(state.edges.edges.map((e) => e.tag), ["1.0"]);
  } finally {
    await repo.remove();
  }
});

Deno.test("readBase() reads a plain manifest under the name the user gave", async () => {
  const repo = await tempRepo();
  try {
    const text = plainManifest("gcr.io/stage", ["gcr.io/prod"], [
      { name: "app", dmap: { [d("b")]: [] } },
    ]);
    const base = await repo.commit({ "deploy/m.yaml": text }, "base");
    const manifest = join(repo.dir, "deploy", "..", "deploy", "m.yaml");
    const state = await baseAt({ manifest }, base);
    assert.equal(state.manifests[0]!.file, manifest);
    assert.equal(state.edges.edges.length, 1);
  } finally {
    await repo.remove();
  }
});

Deno.test("readBase() finds no manifests where the base had none", async () => {
  const repo = await tempRepo();
  try {
    const base = await repo.commit({ "README": "x" }, "base");
    await repo.commit({ "k8s/manifests/a/promoter-manifest.yaml": REGS, "m.yaml": REGS }, "head");
    const thinDir = join(repo.dir, "k8s");
    const thin = await baseAt({ thinDir }, base);
    assert.deepEqual(thin.manifests, []);
    const manifest = join(repo.dir, "m.yaml");
    const plain = await baseAt({ manifest }, base);
    assert.deepEqual(plain.manifests, []);
  } finally {
    await repo.remove();
  }
});

Deno.test("readBase() leaves out what is invalid at the base, as a promotion there did", async () => {
  const repo = await tempRepo();
  try {
    const base = await repo.commit({
      "k8s/manifests/a/promoter-manifest.yaml": REGS,
      "k8s/images/a/images.yaml": '- name: app\n  dmap:\n    "sha256:bad": []\n' +
        `    "${d("a")}": ["1.0"]\n`,
      "k8s/manifests/b/promoter-manifest.yaml": "registries: []\n",
      "k8s/images/b/images.yaml": images("2.0"),
    }, "base");
    const thinDir = join(repo.dir, "k8s");
    const state = await baseAt({ thinDir }, base);
    assert.deepEqual(state.manifests.map((m) => m.file), [
      `${thinDir}/manifests/a/promoter-manifest.yaml`,
    ]);
    assert.deepEqual(state.edges.edges.map((e) => `${e.digest}:${e.tag}`), [`${d("a")}:1.0`]);
  } finally {
    await repo.remove();
  }
});

Deno.test("readBase() refuses a base whose manifest directory is not valid as a whole", async () => {
  const repo = await tempRepo();
  try {
    const base = await repo.commit({
      "k8s/manifests/a/promoter-manifest.yaml": REGS,
      "k8s/images/a/images.yaml": images("1.0"),
      "k8s/manifests/a/b/promoter-manifest.yaml": REGS,
    }, "base");
    const thinDir = join(repo.dir, "k8s");
    await assert.rejects(
      () => baseAt({ thinDir }, base),
      (e) =>
        e instanceof BaseManifestError &&
        e.message.startsWith(`the manifests at ${base} are not valid (1 problem; first: `) &&
        e.message.includes(`${thinDir}/manifests/a/b/promoter-manifest.yaml: unexpected`),
    );
  } finally {
    await repo.remove();
  }
});

Deno.test("readBase() leaves out a sub-manifest with a symbolic link for a file", async () => {
  const repo = await tempRepo();
  try {
    await repo.commit(
      { "k8s/manifests/a/promoter-manifest.yaml": REGS, "k8s/x.yaml": images("1") },
      "one",
    );
    await Deno.mkdir(join(repo.dir, "k8s/images/a"), { recursive: true });
    await Deno.symlink("../../x.yaml", join(repo.dir, "k8s/images/a/images.yaml"));
    const base = await repo.commit({}, "link");
    const thinDir = join(repo.dir, "k8s");
    const lines: string[] = [];
    const state = await baseAt({ thinDir }, base, new Logger("debug", (t) => lines.push(t)));
    assert.deepEqual(state.manifests, []);
    assert.ok(
      lines.some((l) =>
        /left out at the base: sub-manifest a: .*images\.yaml: is not a regular/.test(l)
      ),
      lines.join(""),
    );
  } finally {
    await repo.remove();
  }
});

Deno.test("readBase() reads a base for dry runs and scoped promotion only", async () => {
  const repo = await tempRepo();
  try {
    const base = await repo.commit({ "m.yaml": REGS }, "base");
    const input = { manifest: join(repo.dir, "m.yaml") };
    const options = { dryRun: false, skipped: [], log: quiet };
    assert.equal(await readBase(input, null, { ...options, dryRun: true }), undefined);
    assert.equal(await readBase(input, diffBase(base), options), undefined);
    const scoped = await readBase(input, { ...diffBase(base), scope: true }, options);
    assert.equal(scoped?.state.rev, base);
    assert.equal(scoped?.place.prefix, "");
  } finally {
    await repo.remove();
  }
});
