import assert from "node:assert/strict";
import {
  computeEdges,
  type Manifest,
  ManifestErrors,
  MAX_MANIFEST_BYTES,
  parsePlainManifest,
  parseThinManifest,
  Problems,
} from "../../src/manifest/mod.ts";
import {
  digest,
  imagesYaml,
  parseImagesYaml,
  parseText,
  plainYaml,
  registriesYaml,
  TESTDATA,
} from "./fixtures.ts";

/** The problems of parsing `content` as a plain manifest named `file`, without the file name. */
function problemsOf(content: string | Uint8Array, file = "m.yaml"): string[] {
  const problems = new Problems();
  parsePlainManifest(content, file, problems);
  return problems.toError().errors.map((e) => e.message.slice(file.length + 1).trim());
}

const invalidDir = `${TESTDATA}manifests/invalid/`;
const invalid = [...Deno.readDirSync(invalidDir)].map((e) => e.name).filter((n) =>
  n.endsWith(".yaml")
).sort();

Deno.test("the invalid fixtures are all there", () => {
  assert.ok(invalid.length >= 40, `only ${invalid.length} invalid fixtures`);
});

for (const name of invalid) {
  Deno.test(`parsePlainManifest() reports exactly the expected errors of invalid/${name}`, () => {
    const text = Deno.readTextFileSync(invalidDir + name);
    const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]);
    assert.ok(expected.length > 0, `${name} has no "# expect:" lines`);
    assert.deepEqual(problemsOf(new TextEncoder().encode(text), name), expected);
  });
}

const acceptedDir = `${TESTDATA}manifests/accepted/`;
const accepted = [...Deno.readDirSync(acceptedDir)].map((e) => e.name).sort();

for (const name of accepted) {
  Deno.test(`parsePlainManifest() accepts accepted/${name} with exactly the expected warnings`, () => {
    const text = Deno.readTextFileSync(acceptedDir + name);
    const warnings = [...text.matchAll(/^# warn: (.*)$/gm)].map((m) => m[1]);
    const edges = Number(/^# edges: (\d+)$/m.exec(text)?.[1]);
    const problems = new Problems();
    const m = parsePlainManifest(text, name, problems);
    assert.deepEqual(problems.toError().errors.map((e) => e.message), []);
    assert.ok(m);
    assert.deepEqual(
      problems.remarks.filter((r) => r.level === "warn").map((r) =>
        r.text.slice(name.length + 1).trim()
      ),
      warnings,
    );
    assert.equal(computeEdges([m]).edges.length, edges, `${name} has no right "# edges:" line`);
  });
}

/** What a valid fixture must give: registries, images, digests and edges. */
const validCases: [string, number, number, number, number][] = [
  ["minimal.yaml", 2, 1, 1, 1],
  ["no-images.yaml", 2, 0, 0, 0],
  ["rebase.yaml", 6, 2, 3, 5 * 4],
  ["styles.yaml", 2, 3, 5, 9],
];

for (const [name, registries, images, digests, edges] of validCases) {
  Deno.test(`parsePlainManifest() accepts valid/${name}`, () => {
    const problems = new Problems();
    const m = parsePlainManifest(
      Deno.readFileSync(`${TESTDATA}manifests/valid/${name}`),
      name,
      problems,
    );
    assert.deepEqual(problems.toError().errors.map((e) => e.message), []);
    assert.ok(m);
    assert.equal(m.registries.length, registries);
    assert.equal(m.images.length, images);
    assert.equal(m.images.reduce((n, i) => n + i.digests.length, 0), digests);
    assert.equal(computeEdges([m]).edges.length, edges);
  });
}

Deno.test("parsePlainManifest() keeps names, tags and positions as written", () => {
  const m = parseText(
    plainYaml(
      registriesYaml("us-docker.pkg.dev/prod/images"),
      imagesYaml("foo/bar", { [digest("a")]: ["1.0", "latest"], [digest("b")]: [] }),
    ) + "",
    "m.yaml",
  );
  assert.deepEqual(m.registries.map((r) => [r.name, r.src, r.pos.line]), [
    ["gcr.io/staging", true, 2],
    ["us-docker.pkg.dev/prod/images", false, 4],
  ]);
  const img = m.images[0]!;
  assert.equal(img.name, "foo/bar");
  assert.deepEqual(img.pos, { file: "m.yaml", line: 6, col: 9 });
  assert.deepEqual(img.digests.map((d) => [d.digest, d.tags, d.pos.line]), [
    [digest("a"), ["1.0", "latest"], 8],
    [digest("b"), [], 9],
  ]);
  assert.deepEqual(img.digests[0]!.tagPos.map((p) => `${p.line}:${p.col}`), ["8:81", "8:87"]);
});

Deno.test("parsePlainManifest() reads the service account of a registry", () => {
  const m = parseText(
    "registries:\n- name: gcr.io/a\n  src: true\n- name: gcr.io/b\n" +
      "  service-account: p@proj.iam.gserviceaccount.com\nimages: []\n",
    "m.yaml",
  );
  assert.equal(m.registries[1]!.serviceAccount, "p@proj.iam.gserviceaccount.com");
  assert.equal(m.registries[0]!.serviceAccount, undefined);
});

Deno.test("a plain manifest with problems throws ManifestErrors carrying every problem", () => {
  assert.throws(
    () => parseText("registries: []\nimages: 5\n", "m.yaml"),
    (e) => e instanceof ManifestErrors && e.total === 2 && e.errors.length === 2,
  );
});

const enc = (s: string) => new TextEncoder().encode(s);
const good = plainYaml(registriesYaml(), imagesYaml("apple", { [digest("a")]: ["1.0"] }));

const byteCases: [string, Uint8Array, string[]][] = [
  ["a NUL byte", enc("registries:\n  x\0y\n"), [
    "2:4: the file contains a NUL byte: this looks like binary data, expected YAML text",
  ]],
  ["binary garbage", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), [
    "3:1: the file contains a NUL byte: this looks like binary data, expected YAML text",
  ]],
  ["Latin-1 text", new Uint8Array([...enc("registries:\n- name: caf"), 0xe9, 0x0a]), [
    "2:12: the file is not valid UTF-8 text (bad byte 0xe9 at byte offset 23); save it as UTF-8",
  ]],
  ["a UTF-16 file", new Uint8Array([0xff, 0xfe, 0x72, 0x00]), [
    "1:4: the file contains a NUL byte: this looks like binary data, expected YAML text",
  ]],
  ["a control character", enc(`registries: \x07\nimages: []\n`), [
    '1:13: registries: expected a list of registries, got the string "\\u0007"',
  ]],
  ["a file over the size limit", new Uint8Array(MAX_MANIFEST_BYTES + 1).fill(0x20), [
    `the file is ${MAX_MANIFEST_BYTES + 1} bytes long; manifest files may be at most ` +
    `${MAX_MANIFEST_BYTES} bytes (8 MiB)`,
  ]],
  ["a UTF-8 byte order mark and CRLF line ends", enc(`\ufeff${good.replaceAll("\n", "\r\n")}`), []],
];

for (const [what, bytes, expected] of byteCases) {
  Deno.test(`parsePlainManifest() handles ${what}`, () => {
    assert.deepEqual(problemsOf(bytes), expected);
  });
}

/** The problems of parsing a thin pair, with file names kept. */
function thinProblems(registries: string, images: string): string[] {
  const problems = new Problems();
  parseThinManifest(registries, "p.yaml", images, "i.yaml", problems);
  return problems.toError().errors.map((e) => e.message);
}

const thinReg = registriesYaml();
const thinImages = imagesYaml("apple", { [digest("a")]: ["1.0"] });

const thinCases: [string, string, string, string[]][] = [
  ["a valid pair", thinReg, thinImages, []],
  ["images in promoter-manifest.yaml", `${thinReg}images: []\n`, thinImages, [
    'p.yaml:5:1: unknown field "images"; a thin promoter-manifest.yaml holds only registries; ' +
    "images belong in the images.yaml file of the same name under images/",
  ]],
  ["an images: key in images.yaml", thinReg, `images:\n${thinImages}`, [
    "i.yaml:1:1: expected a list of images at the top of the file, got a map (an images.yaml " +
    "file holds the list itself, without an images: key)",
  ]],
  [
    "an invalid digest and tag in images.yaml",
    thinReg,
    imagesYaml("apple", { "sha256:x": ["a b"] }),
    [
      'i.yaml:3:5: images[0].dmap."sha256:x": invalid digest: sha256:x (expected sha256: followed ' +
      "by 64 lowercase hex digits)",
      'i.yaml:3:18: images[0].dmap."sha256:x"[0]: invalid tag: "a b" (expected a letter, digit ' +
      "or _ followed by up to 127 letters, digits, _ . or -)",
    ],
  ],
  ["an empty images.yaml", thinReg, "", []],
  ["an images.yaml holding only comments", thinReg, "# no images yet\n#- name: x\n", []],
  ["an images.yaml holding an empty list", thinReg, "[]\n", []],
  [
    "imagesPath in promoter-manifest.yaml",
    `${thinReg}imagesPath: "../../images/x/images.yaml"\n`,
    thinImages,
    [],
  ],
  ["an image with dmap: and no value", thinReg, "- name: apple\n  dmap:\n", []],
  ["an image with an empty dmap", thinReg, "- name: apple\n  dmap: {}\n", []],
  ["a scalar as images.yaml", thinReg, "apple\n", [
    'i.yaml:1:1: images: expected a list of images, got the string "apple"',
  ]],
  ["problems in both files", "registries: []\n", "- name: Apple\n  dmap: {}\n", [
    "p.yaml:1:13: registries: 'registries' field cannot be empty (expected a list of registries)",
    "i.yaml:1:9: images[0].name: invalid image name: Apple (expected lowercase letters and " +
    "digits, with . _ __ or - between them and / between path components, at most 255 characters)",
  ]],
  [
    "an image path too long below a prefix written in the other file",
    registriesYaml(`gcr.io/${"p".repeat(200)}`),
    imagesYaml("a".repeat(60), { [digest("a")]: [] }),
    [
      `i.yaml:1:9: images[0].name: image path "${"p".repeat(80)}…" in registry ` +
      `"gcr.io/${"p".repeat(73)}…" is 261 characters long; a repository path may have at most 255`,
    ],
  ],
];

for (const [what, registries, images, expected] of thinCases) {
  Deno.test(`parseThinManifest() handles ${what}`, () => {
    assert.deepEqual(thinProblems(registries, images), expected);
  });
}

Deno.test("parseThinManifest() names the registries file and the images file", () => {
  const problems = new Problems();
  const m = parseThinManifest(thinReg, "p.yaml", thinImages, "i.yaml", problems);
  assert.equal(problems.count, 0);
  assert.equal(m?.file, "p.yaml");
  assert.equal(m?.imagesFile, "i.yaml");
  assert.equal(m?.images[0]?.pos.file, "i.yaml");
  assert.equal(m?.registries[0]?.pos.file, "p.yaml");
});

Deno.test("parseThinManifest() accepts an images.yaml holding an empty list", () => {
  const problems = new Problems();
  assert.deepEqual(parseImagesYaml("[]\n", "i.yaml", problems), []);
  assert.equal(problems.count, 0);
});

/** Parses a thin pair with the standard registries; returns the manifest and what was found. */
function thin(images: string): { m: Manifest | null; problems: Problems } {
  const problems = new Problems();
  const m = parseThinManifest(thinReg, "p.yaml", images, "i.yaml", problems);
  return { m, problems };
}

/** The digests of an image of a manifest, with their tags. */
function dmapOf(m: Manifest | null, image: string): Record<string, string[]> {
  const img = m?.images.find((i) => i.name === image);
  return Object.fromEntries(img?.digests.map((d) => [d.digest, d.tags]) ?? []);
}

Deno.test("parseThinManifest() merges the entries of one image: digests and tags united", () => {
  const { m, problems } = thin(
    imagesYaml("apple", { [digest("a")]: ["1.0"], [digest("b")]: [] }) +
      imagesYaml("banana", { [digest("c")]: ["x"] }) +
      imagesYaml("apple", { [digest("a")]: ["latest", "1.0"], [digest("d")]: ["2.0"] }),
  );
  assert.equal(problems.count, 0);
  assert.deepEqual(m?.images.map((i) => i.name), ["apple", "banana"]);
  assert.deepEqual(dmapOf(m, "apple"), {
    [digest("a")]: ["1.0", "latest"],
    [digest("b")]: [],
    [digest("d")]: ["2.0"],
  });
  // Each tag keeps the place it was written at.
  const a = m!.images[0]!.digests[0]!;
  assert.deepEqual(a.tagPos.map((p) => p.line), [3, 10]);
  assert.deepEqual(a.tagFields, [
    `images[0].dmap."${digest("a")}"[0]`,
    `images[2].dmap."${digest("a")}"[0]`,
  ]);
});

Deno.test("parseThinManifest() leaves out both digests when merged entries give one tag to two", () => {
  const { m, problems } = thin(
    imagesYaml("apple", { [digest("a")]: ["1.0"], [digest("c")]: ["ok"] }) +
      imagesYaml("apple", { [digest("b")]: ["1.0"] }),
  );
  assert.deepEqual(problems.toError().errors.map((e) => e.message), [
    `i.yaml:7:81: images[1].dmap."${digest("b")}"[0]: tag 1.0 is already given to ${
      digest("a")
    } at line 3; a tag names one digest of an image`,
  ]);
  assert.deepEqual(problems.skipped.map((s) => `${s.kind} ${s.name}`), [
    `digest apple@${digest("a")}`,
    `digest apple@${digest("b")}`,
  ]);
  assert.deepEqual(dmapOf(m, "apple"), { [digest("c")]: ["ok"] });
});

Deno.test("parseThinManifest() keeps tags written as numbers as their text, never the number", () => {
  const { m, problems } = thin(
    `- name: apple\n  dmap:\n    "${digest("a")}": [1.10, 1.0, 007, 1e3]\n` +
      `    "${digest("b")}":\n    - 2.20\n`,
  );
  assert.equal(problems.count, 0);
  assert.deepEqual(dmapOf(m, "apple"), {
    [digest("a")]: ["1.10", "1.0", "007", "1e3"],
    [digest("b")]: ["2.20"],
  });
  assert.deepEqual(problems.remarks.map((r) => r.level), ["warn"]);
  assert.match(problems.remarks[0]!.text, /tag 1\.10 is written without quotes.*4 more/);
});

Deno.test("parseThinManifest() leaves out only the digest a bad digest or tag concerns", () => {
  const { m, problems } = thin(
    imagesYaml("apple", {
      [digest("a")]: ["1.0"],
      "sha256:abc": ["2.0"],
      [digest("b")]: ["bad tag"],
    }) + imagesYaml("banana", { [digest("c")]: [] }),
  );
  assert.equal(problems.count, 2);
  assert.deepEqual(problems.skipped.map((s) => `${s.kind} ${s.name} ${s.problems.length}`), [
    "digest apple@sha256:abc 1",
    `digest apple@${digest("b")} 1`,
  ]);
  assert.deepEqual(dmapOf(m, "apple"), { [digest("a")]: ["1.0"] });
  assert.deepEqual(dmapOf(m, "banana"), { [digest("c")]: [] });
});

Deno.test("parseThinManifest() leaves out every entry of an image one of whose entries is bad", () => {
  const { m, problems } = thin(
    imagesYaml("apple", { [digest("a")]: ["1.0"] }) +
      `- name: apple\n  dmap:\n    "${digest("b")}": ["2.0"]\n  extra: 1\n` +
      imagesYaml("banana", { [digest("c")]: [] }),
  );
  assert.deepEqual(problems.toError().errors.map((e) => e.message), [
    'i.yaml:7:3: images[1]: unknown field "extra"; expected only name, dmap',
  ]);
  assert.deepEqual(problems.skipped.map((s) => `${s.kind} ${s.name}`), ["image apple"]);
  assert.deepEqual(m?.images.map((i) => i.name), ["banana"]);
});

Deno.test("parseThinManifest() leaves out a digest written twice in one dmap, not the image", () => {
  const { m, problems } = thin(
    `- name: apple\n  dmap:\n    "${digest("a")}": ["1.0"]\n    "${digest("b")}": []\n` +
      `    "${digest("a")}": ["2.0"]\n`,
  );
  assert.equal(problems.count, 1);
  assert.deepEqual(problems.skipped.map((s) => `${s.kind} ${s.name}`), [
    `digest apple@${digest("a")}`,
  ]);
  assert.deepEqual(dmapOf(m, "apple"), { [digest("b")]: [] });
});

Deno.test("parseThinManifest() warns about an image without dmap and reads it as promoting nothing", () => {
  const { m, problems } = thin("- name: apple\n");
  assert.equal(problems.count, 0);
  assert.deepEqual(dmapOf(m, "apple"), {});
  assert.deepEqual(problems.remarks.map((r) => r.text), [
    "i.yaml:1:9: images[0]: image apple has no dmap: it promotes nothing",
  ]);
});

Deno.test("parseThinManifest() notes the ignored imagesPath at debug level only", () => {
  const problems = new Problems();
  parseThinManifest(`${thinReg}imagesPath: x\n`, "p.yaml", thinImages, "i.yaml", problems);
  assert.deepEqual(problems.remarks.map((r) => r.level), ["debug"]);
  assert.match(problems.remarks[0]!.text, /^p\.yaml:5:1: imagesPath: ignored/);
});

Deno.test("parsePlainManifest() still refuses an image without digests, as the original did", () => {
  for (const dmap of ["", " {}", " ~"]) {
    const problems = new Problems();
    const m = parsePlainManifest(
      `${thinReg}images:\n- name: apple\n  dmap:${dmap}\n`,
      "m.yaml",
      problems,
    );
    assert.equal(problems.count, 1, dmap);
    assert.match(problems.toError().errors[0]!.message, /'dmap' field cannot be empty/);
    assert.deepEqual(problems.skipped.map((s) => `${s.kind} ${s.name}`), ["image apple"]);
    assert.deepEqual(m?.images, []);
  }
});
