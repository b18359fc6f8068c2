/**
 * Problems confined to one part of the manifests leave out that part only; problems that make
 * the whole run ambiguous stop it before any request. Against real docker-registry processes.
 */
import assert from "node:assert/strict";
import { runCli } from "../cli/run_cli.ts";
import { imagesYaml, registriesYaml } from "../fixtures/manifest_text.ts";
import { writeTree } from "../manifest/fixtures.ts";
import { type LoggedRegistry, startLoggedRegistry, writesOf } from "./logged_registry.ts";
import { assertPromoted, pushStaging, type Staging, tagsOf } from "./promote_fixture.ts";

/** A staging registry with the staging set, a production registry, and a temporary directory. */
async function withRegistries(
  fn: (a: LoggedRegistry, b: LoggedRegistry, staging: Staging, dir: string) => Promise<void>,
) {
  const a = await startLoggedRegistry();
  const b = await startLoggedRegistry();
  const dir = await Deno.makeTempDir({ prefix: "cip-isolation-it-" });
  try {
    await fn(a, b, await pushStaging(a.url, "staging"), dir);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await Deno.remove(dir, { recursive: true });
  }
}

/** One image's digests and their tags. */
type Dmap = Record<string, string[]>;

/** A digest one hex digit short, as real manifests have held. */
const SHORT = `sha256:${"e".repeat(63)}`;

Deno.test("a run over a tree with bad entries promotes everything else and exits 1 naming them", async () => {
  await withRegistries(async (a, b, staging, dir) => {
    const src = `${a.host}/staging`;
    const dst = `${b.host}/prod`;
    const [app, tool, multi, dlist, bare] = ["app", "tool", "multi", "dlist", "bare"].map((n) =>
      staging.dmap[n]!
    ) as [Dmap, Dmap, Dmap, Dmap, Dmap];
    const thin = `${dir}/thin`;
    await writeTree(thin, {
      "manifests/good/promoter-manifest.yaml": registriesYaml(src, [dst]),
      "images/good/images.yaml": imagesYaml([{ name: "app", dmap: app }]) +
        imagesYaml([{ name: "tool", dmap: tool }]),
      // One bad digest among good ones: only that digest is left out.
      "manifests/mixed/promoter-manifest.yaml": registriesYaml(src, [dst]),
      "images/mixed/images.yaml": imagesYaml([
        { name: "multi", dmap: { ...multi, [SHORT]: ["broken"] } },
        { name: "dlist", dmap: dlist },
      ]),
      // A file that does not parse: the whole sub-manifest is left out.
      "manifests/broken/promoter-manifest.yaml": registriesYaml(src, [dst]),
      "images/broken/images.yaml": imagesYaml([{ name: "bare", dmap: bare }]) + "- name: [\n",
    });
    const promoted = { app, tool, multi, dlist };
    const mixedFile = `${thin}/images/mixed/images.yaml`;

    await b.mark();
    const dry = await runCli(["run", `--thin-manifest-dir=${thin}`]);
    assert.equal(dry.code, 1, dry.stderr);
    assert.match(dry.stdout, /to copy \(7\):/);
    assert.doesNotMatch(dry.stdout, /bare@/);
    assert.match(
      dry.stderr,
      new RegExp(
        `ERROR: left out of this run: digest multi@${SHORT}: ${mixedFile}:\\d+:5: ` +
          `images\\[0\\]\\.dmap\\."${SHORT}": invalid digest`,
      ),
    );
    assert.match(
      dry.stderr,
      new RegExp(`ERROR: left out of this run: sub-manifest broken: ${thin}/images/broken/`),
    );
    assert.match(dry.stderr, /ERROR: 2 parts of the manifests were left out of this run/);
    assert.deepEqual(writesOf(await b.served()), []);

    const run = await runCli([
      "run",
      `--thin-manifest-dir=${thin}`,
      "--confirm",
      `--report=${dir}/report.json`,
    ]);
    assert.equal(run.code, 1, run.stderr);
    await assertPromoted(b.url, "prod", promoted);
    assert.deepEqual(await tagsOf(b.url, "prod/bare"), []);
    const report = JSON.parse(await Deno.readTextFile(`${dir}/report.json`));
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.skipped.map((s: { kind: string; name: string }) => `${s.kind} ${s.name}`),
      ["sub-manifest broken", `digest multi@${SHORT}`],
    );
    assert.ok(report.edges.every((e: { result: string }) => e.result === "copied"));

    // Once fixed, the rest is promoted; what was done is not done again.
    await writeTree(thin, {
      "images/broken/images.yaml": imagesYaml([{ name: "bare", dmap: bare }]),
    });
    const fixed = await runCli(["run", `--thin-manifest-dir=${thin}`, "--confirm"]);
    assert.equal(fixed.code, 1, fixed.stderr);
    await assertPromoted(b.url, "prod", { ...promoted, bare });
    assert.match(fixed.stderr, /1 part of the manifests was left out/);
  });
});

/** Runs cip with `args` twice (dry run and --confirm): both must stop with exit 2, no request. */
async function assertStopsBeforeAnyRequest(
  regs: LoggedRegistry[],
  args: string[],
  stderr: RegExp,
): Promise<void> {
  for (const mode of [[], ["--confirm"]]) {
    await Promise.all(regs.map((r) => r.mark()));
    const r = await runCli(["run", ...args, ...mode]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, stderr);
    for (const reg of regs) assert.equal((await reg.served()).requests, 0);
  }
}

Deno.test("an overlap between sub-projects stops the run before any request, exit 2", async () => {
  await withRegistries(async (a, b, staging, dir) => {
    const src = `${a.host}/staging`;
    const dst = `${b.host}/prod`;
    const thin = `${dir}/thin`;
    await writeTree(thin, {
      "manifests/one/promoter-manifest.yaml": registriesYaml(src, [dst]),
      "images/one/images.yaml": imagesYaml([{ name: "app", dmap: staging.dmap.app! }]),
      "manifests/two/promoter-manifest.yaml": registriesYaml(src, [dst]),
      "images/two/images.yaml": imagesYaml([
        { name: "app", dmap: { [staging.app2.manifest.digest]: ["1.0"] } },
      ]),
    });
    await assertStopsBeforeAnyRequest(
      [a, b],
      [`--thin-manifest-dir=${thin}`],
      new RegExp(
        `ERROR: ${thin}/images/two/images.yaml:3:\\d+: .*overlapping edges detected: ` +
          `${dst}/app:1\\.0 is wanted with`,
      ),
    );
  });
});

Deno.test("a promoter-manifest.yaml deeper than manifests/<x>/ stops the run before any request", async () => {
  await withRegistries(async (a, b, staging, dir) => {
    const regs = registriesYaml(`${a.host}/staging`, [`${b.host}/prod`]);
    const thin = `${dir}/thin`;
    await writeTree(thin, {
      "manifests/one/promoter-manifest.yaml": regs,
      "images/one/images.yaml": imagesYaml([{ name: "app", dmap: staging.dmap.app! }]),
      "manifests/one/nested/promoter-manifest.yaml": regs,
    });
    await assertStopsBeforeAnyRequest(
      [a, b],
      [`--thin-manifest-dir=${thin}`],
      new RegExp(`${thin}/manifests/one/nested/promoter-manifest\\.yaml: unexpected manifest path`),
    );
  });
});
