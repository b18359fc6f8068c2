import assert from "node:assert/strict";
import { makeContext } from "../../src/cli/context.ts";
import { parseFlags } from "../../src/cli/flags.ts";
import { promoteEdges } from "../../src/cli/promote.ts";
import type { RegistryAccess } from "../../src/promote/access.ts";
import type { Edge } from "../../src/manifest/types.ts";
import { RegistryError } from "../../src/registry/errors.ts";
import { MemoryBackend } from "../fakes/memory_backend.ts";
import { edge, manifestOf } from "../promote/edges_fixture.ts";
import { bytesOf, seedImage } from "../promote/image_fixture.ts";
import { readInventory } from "../promote/run_fixture.ts";
import { recordingIo } from "./recording_io.ts";

const SRC = "stage.example";
const DST = "prod.example/img";

function world() {
  const stage = new MemoryBackend("stage");
  const prod = new MemoryBackend("prod");
  const access: RegistryAccess = {
    open: (name) => {
      if (name === SRC) return Promise.resolve({ backend: stage, prefix: "" });
      if (name === DST) return Promise.resolve({ backend: prod, prefix: "img" });
      return Promise.reject(new Error(`unknown registry ${name}`));
    },
    readRepositories: (b, repos) => readInventory(b as MemoryBackend, repos),
    stats: () => ({ requests: 7 }),
  };
  return { stage, prod, access, m: manifestOf(SRC, [DST]) };
}

async function run(args: string[], edges: Edge[], access: RegistryAccess) {
  const { io, result } = recordingIo();
  const ctx = makeContext(parseFlags(["--manifest=x.yaml", ...args]), io);
  return result(await promoteEdges(ctx, edges, access));
}

Deno.test("promote mode prints the plan by destination in a dry run and writes nothing", async () => {
  const { stage, prod, access, m } = world();
  const a = seedImage(stage, "foo", [bytesOf("a")], { tags: ["x"] });
  const b = seedImage(stage, "bar", [bytesOf("b")]);
  const r = await run([], [
    edge(m, DST, "foo", a.digest, "1.0"),
    edge(m, DST, "bar", b.digest, null),
  ], access);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /dry run/);
  assert.match(r.stdout, /prod\.example\/img \(from stage\.example\):\n {2}to copy \(2\):/);
  assert.match(r.stdout, new RegExp(`foo@${a.digest} tags 1\\.0 \\(`));
  assert.match(r.stdout, new RegExp(`bar@${b.digest} no tags`));
  assert.match(r.stderr, /prod\.example\/img \(dry run\): 2 to copy, 0 tags to add/);
  assert.equal(prod.writes() + stage.writes(), 0);
});

Deno.test("promote mode copies with --confirm and a rerun writes nothing", async () => {
  const { stage, prod, access, m } = world();
  const a = seedImage(stage, "foo", [bytesOf("a")]);
  const edges = [edge(m, DST, "foo", a.digest, "1.0"), edge(m, DST, "foo", a.digest, null)];
  const first = await run(["--confirm"], edges, access);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(prod.tagged("img/foo", "1.0"), a.digest);
  assert.match(first.stderr, /prod\.example\/img: 1 copied, 0 tags added, 0 already present/);
  const before = prod.writes();
  const again = await run(["--confirm"], edges, access);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(prod.writes(), before);
  assert.match(again.stderr, /0 copied, 0 tags added, 1 already present, 0 not found/);
});

Deno.test("promote mode refuses a tag move with exit 1 and leaves the tag alone", async () => {
  const { stage, prod, access, m } = world();
  const old = seedImage(stage, "foo", [bytesOf("old")], { name: "old" });
  const neu = seedImage(stage, "foo", [bytesOf("new")], { name: "new" });
  assert.equal((await run(["--confirm"], [edge(m, DST, "foo", old.digest, "1")], access)).code, 0);
  for (const args of [[], ["--confirm"]]) {
    const r = await run(args, [edge(m, DST, "foo", neu.digest, "1")], access);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /refused \(1\):\n {4}foo:1 -> sha256:.*never moves a tag/);
    assert.equal(prod.tagged("img/foo", "1"), old.digest);
  }
});

Deno.test("promote mode warns about images it cannot find and still exits 0", async () => {
  const { access, m } = world();
  const ghost = `sha256:${"9".repeat(64)}`;
  const edges = [edge(m, DST, "ghost", ghost, "1"), edge(m, DST, "ghost", ghost, "2")];
  const r = await run(["--confirm"], edges, access);
  assert.equal(r.code, 0);
  assert.match(
    r.stderr,
    new RegExp(
      `WARN: ghost@${ghost} \\(promoter-manifest\\.yaml:\\d+\\) is in neither stage\\.example nor prod\\.example/img;`,
    ),
  );
  assert.equal(r.stderr.split("WARN: ghost@").length, 2, "one warning per missing image");
  assert.match(r.stderr, /WARN: nothing was promoted although the manifests name 2 edges/);
});

Deno.test("promote mode finishes the others when one image fails and exits 1", async () => {
  const { stage, prod, access, m } = world();
  const good = seedImage(stage, "good", [bytesOf("g")]);
  const bad = seedImage(stage, "bad", [bytesOf("b")]);
  stage.fault = (c) =>
    c.op === "getBlob" && c.repo === "bad"
      ? new RegistryError("registry returned 403 DENIED", { status: 403 })
      : undefined;
  const r = await run(["--confirm", "--json-log-summary"], [
    edge(m, DST, "good", good.digest, "1"),
    edge(m, DST, "bad", bad.digest, "1"),
  ], access);
  assert.equal(r.code, 1);
  assert.equal(prod.tagged("img/good", "1"), good.digest);
  assert.match(
    r.stderr,
    /ERROR: Failed prod\.example\/img\/bad@sha256:\w+: Cannot copy blob .*403/,
  );
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.ok, false);
  assert.deepEqual(
    doc.edges.map((e: { image: string; result: string }) => [e.image, e.result]),
    [["good", "copied"], ["bad", "failed"]],
  );
  assert.match(doc.edges[1].error, /403 DENIED/);
  assert.equal(doc.destinations[DST].failed, 1);
  assert.deepEqual(doc.transport, { requests: 7 });
});

Deno.test("promote mode writes the JSON report to --report=FILE", async () => {
  const { stage, access, m } = world();
  const a = seedImage(stage, "foo", [bytesOf("a")]);
  const dir = await Deno.makeTempDir();
  try {
    const r = await run([`--report=${dir}/r.json`], [edge(m, DST, "foo", a.digest, "1")], access);
    assert.equal(r.code, 0);
    const doc = JSON.parse(await Deno.readTextFile(`${dir}/r.json`));
    assert.equal(doc.mode, "dry-run");
    assert.equal(doc.edges[0].decision, "copy");
    assert.equal(doc.edges[0].result, "planned");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["r.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("promote mode fails before any copy when a destination cannot be opened", async () => {
  const { stage, access, m } = world();
  const a = seedImage(stage, "foo", [bytesOf("a")]);
  const denied: RegistryAccess = {
    ...access,
    open: (name, sa) =>
      name === DST ? Promise.reject(new Error("no credentials for prod")) : access.open(name, sa),
  };
  await assert.rejects(
    run(["--confirm"], [edge(m, DST, "foo", a.digest, "1")], denied),
    /Cannot open registry prod\.example\/img/,
  );
  assert.equal(stage.calls.length, 0);
});

Deno.test("promote mode reads each source manifest once, at planning, and copies those bytes", async () => {
  const { stage, prod, access, m } = world();
  const a = seedImage(stage, "foo", [bytesOf("a")], { odd: true });
  const r = await run(["--confirm"], [edge(m, DST, "foo", a.digest, "1")], access);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(stage.callsOf("getManifest").length, 1);
  assert.deepEqual(prod.manifestBytes("img/foo", a.digest), stage.manifestBytes("foo", a.digest));
});

Deno.test("promote mode fails one image whose source lookup is denied, and the dry run", async () => {
  const { stage, prod, access, m } = world();
  const good = seedImage(stage, "good", [bytesOf("g")]);
  const bad = seedImage(stage, "bad", [bytesOf("b")]);
  stage.fault = (c) =>
    c.op === "getManifest" && c.repo === "bad"
      ? new RegistryError("registry returned 403 DENIED", { status: 403 })
      : undefined;
  const edges = [edge(m, DST, "good", good.digest, "1"), edge(m, DST, "bad", bad.digest, "1")];
  const dry = await run([], edges, access);
  assert.equal(dry.code, 1);
  assert.match(
    dry.stderr,
    /ERROR: Cannot look up stage\.example\/bad@sha256:\w+: .*403 DENIED \(the dry run fails\)/,
  );
  const r = await run(["--confirm"], edges, access);
  assert.equal(r.code, 1);
  assert.equal(prod.tagged("img/good", "1"), good.digest);
  assert.equal(prod.tagged("img/bad", "1"), undefined);
  assert.match(r.stderr, /ERROR: Failed prod\.example\/img\/bad@sha256:\w+: .*403 DENIED/);
});

Deno.test("promote mode checks credentials before the first copy and writes nothing without them", async () => {
  const { stage, prod, access, m } = world();
  const a = seedImage(stage, "foo", [bytesOf("a")]);
  const noCreds: RegistryAccess = {
    ...access,
    verifyCredentials: () => Promise.reject(new Error("no key file matches prod@example.iam")),
  };
  await assert.rejects(
    run(["--confirm"], [edge(m, DST, "foo", a.digest, "1")], noCreds),
    /Cannot promote: credentials are missing/,
  );
  assert.equal(prod.writes(), 0);
  const dry = await run([], [edge(m, DST, "foo", a.digest, "1")], noCreds);
  assert.equal(dry.code, 0, "a dry run does not need write credentials");
});

Deno.test("promote mode says what the copies moved, and that a rerun has nothing to do", async () => {
  const { stage, access, m } = world();
  const a = seedImage(stage, "foo", [bytesOf("a", 2_000_000)]);
  const edges = [edge(m, DST, "foo", a.digest, "1"), edge(m, DST, "foo", a.digest, "2")];
  const first = await run(["--confirm"], edges, access);
  assert.match(
    first.stderr,
    /copied 2 blobs \(1\.9 MiB\), mounted 0, 0 already there; stored 1 manifests and 1 more tags in /,
  );
  const again = await run(["--confirm"], edges, access);
  assert.match(again.stderr, /nothing to do: all 2 edges are already promoted/);
  assert.doesNotMatch(again.stderr, /WARN/);
});

Deno.test("the JSON report lists the edges with something to do and counts those already present", async () => {
  const { stage, access, m } = world();
  const a = seedImage(stage, "foo", [bytesOf("a")]);
  const b = seedImage(stage, "foo", [bytesOf("b")]);
  const first = await run(["--confirm"], [edge(m, DST, "foo", a.digest, "1")], access);
  assert.equal(first.code, 0, first.stderr);
  const r = await run(["--json-log-summary"], [
    edge(m, DST, "foo", a.digest, "1"),
    edge(m, DST, "foo", b.digest, "2"),
  ], access);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(
    doc.edges.map((e: { digest: string; result: string }) => [e.digest, e.result]),
    [[b.digest, "planned"]],
  );
  assert.equal(doc.destinations[DST].present, 1);
  assert.equal(doc.destinations[DST].copied, 1);
});
