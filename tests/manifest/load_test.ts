import assert from "node:assert/strict";
import { Logger } from "../../src/log.ts";
import {
  computeEdges,
  edgeTarget,
  FsTree,
  type LoadedManifests,
  loadManifests,
  loadPlainManifest,
  loadThinManifests,
  type Manifest,
  ManifestErrors,
  MAX_MANIFEST_BYTES,
} from "../../src/manifest/mod.ts";
import { digest, imagesYaml, registriesYaml, TESTDATA, writeTree } from "./fixtures.ts";
import { MemoryTree } from "./memory_tree.ts";
import { withTempDir } from "../fixtures/temp_dirs.ts";

/** A logger that keeps its lines. */
function captureLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: new Logger("debug", (t) => lines.push(t.trimEnd())), lines };
}

/** The messages of the ManifestErrors a promise rejects with. */
async function errorsOf(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ManifestErrors) return e.errors.map((x) => x.message);
    throw e;
  }
  throw new Error("expected ManifestErrors, but loading succeeded");
}

/** The problems loading found without refusing the run, and the parts it left out. */
async function confinedOf(
  p: Promise<LoadedManifests>,
): Promise<{ errors: string[]; skipped: string[] }> {
  const { problems } = await p;
  return {
    errors: problems.toError().errors.map((x) => x.message),
    skipped: problems.skipped.map((s) => `${s.kind} ${s.name}`),
  };
}

const REG = registriesYaml();
const IMG = imagesYaml("apple", { [digest("a")]: ["1.0"] });

/** A valid thin sub-manifest named `x`. */
function pair(x: string, images = IMG): Record<string, string> {
  return {
    [`manifests/${x}/promoter-manifest.yaml`]: REG,
    [`images/${x}/images.yaml`]: images,
  };
}

const targets = (ms: Manifest[]) => computeEdges(ms).edges.map(edgeTarget).sort();

Deno.test("loadManifests() reads the seed plain manifest and the seed thin directory to the same edges", async () => {
  const { log } = captureLog();
  const plain = (await loadManifests({ manifest: `${TESTDATA}thin/promoter-manifest.yaml` }, log))
    .manifests;
  const thin = (await loadManifests({ thinDir: `${TESTDATA}thin` }, log)).manifests;
  assert.equal(plain.length, 1);
  assert.deepEqual(
    thin.map((m) => m.file),
    ["a", "b", "c", "d"].map((x) => `${TESTDATA}thin/manifests/${x}/promoter-manifest.yaml`),
  );
  assert.deepEqual(
    thin.map((m) => m.imagesFile),
    ["a", "b", "c", "d"].map((x) => `${TESTDATA}thin/images/${x}/images.yaml`),
  );
  assert.equal(targets(plain).length, 7);
  assert.deepEqual(targets(thin), targets(plain));
  assert.deepEqual(plain[0]!.images.map((i) => i.name), ["apple", "banana", "cherry"]);
});

Deno.test("loadThinManifests() reads sub-manifests in name order and ignores other files", async () => {
  await withTempDir(async (dir) => {
    await writeTree(dir, {
      ...pair("b"),
      ...pair("a"),
      "manifests/a/sub/notes.yaml": "not: [valid",
      "manifests/README.md": "not a manifest",
      "images/a/other.yaml": "not: [valid",
      "images/README.md": "x",
      "promoter-manifest.yaml": "not: [valid",
    });
    const { log, lines } = captureLog();
    const { manifests: ms } = await loadThinManifests(new FsTree(dir), "", log);
    assert.deepEqual(ms.map((m) => m.file), [
      `${dir}/manifests/a/promoter-manifest.yaml`,
      `${dir}/manifests/b/promoter-manifest.yaml`,
    ]);
    assert.deepEqual(lines.filter((l) => l.startsWith("WARN")), []);
  });
});

Deno.test("loadThinManifests() warns about and skips manifests/<x> without promoter-manifest.yaml", async () => {
  await withTempDir(async (dir) => {
    await writeTree(dir, {
      ...pair("a"),
      "manifests/b/notes.txt": "x",
      "images/b/images.yaml": IMG,
    });
    const { log, lines } = captureLog();
    const { manifests: ms } = await loadThinManifests(new FsTree(dir), "", log);
    assert.equal(ms.length, 1);
    assert.ok(
      lines.includes(`WARN: ${dir}/manifests/b has no promoter-manifest.yaml; skipped`),
      lines.join("\n"),
    );
  });
});

Deno.test("loadThinManifests() warns about images/<x> without manifests/<x>", async () => {
  await withTempDir(async (dir) => {
    await writeTree(dir, { ...pair("a"), "images/z/images.yaml": IMG });
    const { log, lines } = captureLog();
    await loadThinManifests(new FsTree(dir), "", log);
    assert.ok(
      lines.includes(`WARN: ${dir}/images/z has no manifests/ directory of the same name; ignored`),
      lines.join("\n"),
    );
  });
});

const thinErrorCases: [string, Record<string, string>, (dir: string) => string[]][] = [
  ["a missing images/ directory", { "manifests/a/promoter-manifest.yaml": REG }, (d) => [
    `${d}/images: is not a directory; a thin manifest directory holds both images/ and manifests/ directories`,
  ]],
  ["manifests/ being a file", { "manifests": "x", "images/a/images.yaml": IMG }, (d) => [
    `${d}/manifests: is not a directory; a thin manifest directory holds both images/ and manifests/ directories`,
  ]],
  ["no sub-manifests at all", { "manifests/a/x.txt": "", "images/a/images.yaml": IMG }, (d) => [
    `${d}: no manifests found in dir: ${d}`,
  ]],
  ["a promoter-manifest.yaml deeper than manifests/<x>/", {
    ...pair("a"),
    "manifests/b/c/promoter-manifest.yaml": REG,
    "manifests/a/d/e/promoter-manifest.yaml": REG,
  }, (d) => [
    `${d}/manifests/a/d/e/promoter-manifest.yaml: ${MISPLACED}`,
    `${d}/manifests/b/c/promoter-manifest.yaml: ${MISPLACED}`,
  ]],
  ["a promoter-manifest.yaml directly in manifests/", {
    ...pair("a"),
    "manifests/promoter-manifest.yaml": REG,
  }, (d) => [`${d}/manifests/promoter-manifest.yaml: ${MISPLACED}`]],
];

for (const [what, files, expected] of thinErrorCases) {
  Deno.test(`loadThinManifests() refuses the whole run for ${what}`, async () => {
    await withTempDir(async (dir) => {
      await writeTree(dir, files);
      assert.deepEqual(
        await errorsOf(loadThinManifests(new FsTree(dir), "", captureLog().log)),
        expected(dir),
      );
    });
  });
}

const confinedCases: [string, Record<string, string>, (dir: string) => string[], string[]][] = [
  ["a missing images.yaml", { ...pair("a"), "manifests/b/promoter-manifest.yaml": REG }, (d) => [
    `${d}/images/b/images.yaml: no such file; ${d}/manifests/b/promoter-manifest.yaml needs its images in this file`,
  ], ["sub-manifest b"]],
  ["problems in several files", {
    ...pair("a", imagesYaml("apple", { "sha256:x": [] })),
    ...pair("b"),
    "manifests/c/promoter-manifest.yaml": "registries: []\n",
    "images/c/images.yaml": "- name: Apple\n  dmap: {}\n",
  }, (d) => [
    `${d}/images/a/images.yaml:3:5: images[0].dmap."sha256:x": invalid digest: sha256:x (expected sha256: followed by 64 lowercase hex digits)`,
    `${d}/manifests/c/promoter-manifest.yaml:1:13: registries: 'registries' field cannot be empty (expected a list of registries)`,
    `${d}/images/c/images.yaml:1:9: images[0].name: invalid image name: Apple (expected lowercase letters and digits, with . _ __ or - between them and / between path components, at most 255 characters)`,
  ], ["digest apple@sha256:x", "sub-manifest c"]],
  ["a directory where promoter-manifest.yaml should be", {
    ...pair("b"),
    "manifests/a/promoter-manifest.yaml/x": "",
    "images/a/images.yaml": IMG,
  }, (d) => [
    `${d}/manifests/a/promoter-manifest.yaml: is a directory, expected a file`,
  ], ["sub-manifest a"]],
  ["an images.yaml that does not parse", {
    ...pair("a"),
    ...pair("b", "- name: [x\n"),
  }, (d) => [
    `${d}/images/b/images.yaml:2:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]`,
  ], ["sub-manifest b"]],
];

for (const [what, files, expected, skipped] of confinedCases) {
  Deno.test(`loadThinManifests() leaves out only what ${what} concerns`, async () => {
    await withTempDir(async (dir) => {
      await writeTree(dir, files);
      const loaded = loadThinManifests(new FsTree(dir), "", captureLog().log);
      assert.deepEqual(await confinedOf(loaded), { errors: expected(dir), skipped });
    });
  });
}

/** The message for a promoter-manifest.yaml out of place. */
const MISPLACED = "unexpected manifest path: a thin manifest directory holds each manifest at " +
  "manifests/<name>/promoter-manifest.yaml; move it there (with its images at " +
  "images/<name>/images.yaml) or remove it";

Deno.test("loadManifests() reports a thin directory that does not exist", async () => {
  assert.deepEqual(
    await errorsOf(loadManifests({ thinDir: "/nonexistent/cip" }, captureLog().log)),
    [
      "/nonexistent/cip: does not exist or is not a directory (expected a thin manifest " +
      "directory holding images/ and manifests/)",
    ],
  );
});

Deno.test("loadThinManifests() refuses symbolic links that lead outside the directory and names them", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/thin`;
    await writeTree(tmp, { "outside/promoter-manifest.yaml": REG, "secret.yaml": IMG });
    await writeTree(dir, { ...pair("a"), "images/b/.keep": "" });
    await Deno.symlink(`${tmp}/outside`, `${dir}/manifests/b`);
    await Deno.symlink(`${tmp}/secret.yaml`, `${dir}/images/b/images.yaml`);
    const { errors, skipped } = await confinedOf(
      loadThinManifests(new FsTree(dir), "", captureLog().log),
    );
    assert.deepEqual(skipped, ["sub-manifest b"]);
    assert.deepEqual(errors, [
      `${dir}/manifests/b/promoter-manifest.yaml: leads outside ${dir} through a symbolic link (it resolves to ${await Deno
        .realPath(
          `${tmp}/outside/promoter-manifest.yaml`,
        )}); links in a manifest directory must stay inside it`,
      `${dir}/images/b/images.yaml: leads outside ${dir} through a symbolic link (it resolves to ${await Deno
        .realPath(`${tmp}/secret.yaml`)}); links in a manifest directory must stay inside it`,
    ]);
  });
});

Deno.test("loadThinManifests() follows symbolic links that stay inside, and a linked directory itself", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/thin`;
    await writeTree(dir, {
      ...pair("a"),
      "shared/images.yaml": IMG,
      "manifests/b/promoter-manifest.yaml": REG,
    });
    await Deno.mkdir(`${dir}/images/b`);
    await Deno.symlink(`${dir}/shared/images.yaml`, `${dir}/images/b/images.yaml`);
    await Deno.symlink(dir, `${tmp}/link`);
    const { manifests: ms } = await loadThinManifests(
      new FsTree(`${tmp}/link`),
      "",
      captureLog().log,
    );
    assert.deepEqual(ms.map((m) => m.imagesFile), [
      `${tmp}/link/images/a/images.yaml`,
      `${tmp}/link/images/b/images.yaml`,
    ]);
  });
});

Deno.test("loadPlainManifest() refuses a file over the size limit without reading it", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/big.yaml`;
    using f = await Deno.open(path, { create: true, write: true });
    await f.truncate(MAX_MANIFEST_BYTES + 1);
    assert.deepEqual(await errorsOf(loadManifests({ manifest: path }, captureLog().log)), [
      `${path}: is ${
        MAX_MANIFEST_BYTES + 1
      } bytes long; manifest files may be at most ${MAX_MANIFEST_BYTES} bytes (8 MiB)`,
    ]);
  });
});

Deno.test({
  name: "loadPlainManifest() refuses a named pipe instead of waiting on it",
  ignore: Deno.build.os === "windows",
}, async () => {
  await withTempDir(async (dir) => {
    const fifo = `${dir}/pipe.yaml`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.equal(made.code, 0);
    assert.deepEqual(await errorsOf(loadManifests({ manifest: fifo }, captureLog().log)), [
      `${fifo}: is not a regular file`,
    ]);
  });
});

const plainErrorCases: [string, (dir: string) => Promise<string>, (path: string) => string][] = [
  [
    "a file that does not exist",
    (d) => Promise.resolve(`${d}/none.yaml`),
    (p) => `${p}: no such file (expected a promoter manifest)`,
  ],
  ["a directory", (d) => Promise.resolve(d), (p) => `${p}: is a directory, expected a file`],
  [
    "binary garbage",
    async (d) => {
      await Deno.writeFile(
        `${d}/g.yaml`,
        new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]),
      );
      return `${d}/g.yaml`;
    },
    (p) =>
      `${p}:1:8: the file contains a NUL byte: this looks like binary data, expected YAML text`,
  ],
];

for (const [what, make, expected] of plainErrorCases) {
  Deno.test(`loadManifests() reports ${what} given as a plain manifest`, async () => {
    await withTempDir(async (dir) => {
      const path = await make(dir);
      assert.deepEqual(await errorsOf(loadManifests({ manifest: path }, captureLog().log)), [
        expected(path),
      ]);
    });
  });
}

Deno.test("loadThinManifests() refuses sub-manifest names with .. or path separators from any tree", async () => {
  const tree = new MemoryTree({ ...pair("a") }, {
    "manifests": [
      { name: "..", kind: "dir" },
      { name: "x/y", kind: "dir" },
      { name: "x\\y", kind: "dir" },
      { name: "new\nline", kind: "dir" },
    ],
  });
  const why =
    "it must be a plain directory name (no path separators, no . or .., no control characters)";
  assert.deepEqual(await errorsOf(loadThinManifests(tree, "", captureLog().log)), [
    `mem:manifests: refused the sub-manifest name "..": ${why}`,
    `mem:manifests: refused the sub-manifest name "x/y": ${why}`,
    `mem:manifests: refused the sub-manifest name "x\\\\y": ${why}`,
    `mem:manifests: refused the sub-manifest name "new\\nline": ${why}`,
  ]);
  assert.ok(!tree.reads.some((p) => p.includes("..") || p.includes("x/y")));
});

Deno.test("loadThinManifests() reads a sub-directory of a tree and reports a refused path as that path's problem", async () => {
  const files: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...pair("a"), ...pair("b") })) files[`k8s/${k}`] = v;
  const tree = new MemoryTree(files, {}, { "k8s/images/b/images.yaml": "is refused by the tree" });
  assert.deepEqual(await confinedOf(loadThinManifests(tree, "k8s", captureLog().log)), {
    errors: ["mem:k8s/images/b/images.yaml: is refused by the tree"],
    skipped: ["sub-manifest b"],
  });
  const ok = await loadThinManifests(new MemoryTree(files), "k8s", captureLog().log);
  assert.deepEqual(ok.manifests.map((m) => m.file), [
    "mem:k8s/manifests/a/promoter-manifest.yaml",
    "mem:k8s/manifests/b/promoter-manifest.yaml",
  ]);
});

Deno.test("loadPlainManifest() labels positions through the tree", async () => {
  const tree = new MemoryTree({ "dir/m.yaml": `${REG}images:\n${IMG}` });
  const [m] = (await loadPlainManifest(tree, "dir/m.yaml", captureLog().log)).manifests;
  assert.equal(m!.file, "mem:dir/m.yaml");
  assert.equal(m!.images[0]!.pos.file, "mem:dir/m.yaml");
});

Deno.test("loadThinManifests() stops reading once the manifests exceed the total size limit", async () => {
  const files: Record<string, string> = {};
  for (const x of ["a", "b", "c", "d"]) Object.assign(files, pair(x));
  const one = REG.length + IMG.length;
  const tree = new MemoryTree(files);
  assert.deepEqual(await errorsOf(loadThinManifests(tree, "", captureLog().log, one * 2 + 1)), [
    `mem:: the manifests hold more than ${one * 2 + 1} bytes in all, the most one run reads; ` +
    "stopped at mem:manifests/c/promoter-manifest.yaml",
  ]);
  assert.equal(
    (await loadThinManifests(new MemoryTree(files), "", captureLog().log, one * 4)).manifests
      .length,
    4,
  );
});
