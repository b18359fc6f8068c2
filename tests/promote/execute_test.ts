import assert from "node:assert/strict";
import { Logger } from "../../src/log.ts";
import { execute } from "../../src/promote/execute.ts";
import { RegistryError } from "../../src/registry/errors.ts";
import { MemoryBackend } from "../fakes/memory_backend.ts";
import { digestOf } from "../fixtures/images.ts";
import { edge, manifestOf } from "./edges_fixture.ts";
import { bytesOf, seedImage, seedIndex } from "./image_fixture.ts";
import { executeOver, planOver, type Registries } from "./run_fixture.ts";

const SRC = "stage.example";
const DST = "prod.example/img";
const DST2 = "mirror.example";

function setup() {
  const stage = new MemoryBackend("stage");
  const prod = new MemoryBackend("prod");
  const mirror = new MemoryBackend("mirror");
  const regs: Registries = {
    [SRC]: { backend: stage, prefix: "" },
    [DST]: { backend: prod, prefix: "img" },
    [DST2]: { backend: mirror, prefix: "" },
  };
  return { stage, prod, mirror, regs, m: manifestOf(SRC, [DST, DST2]) };
}

Deno.test("execute() copies an image byte for byte with its blobs and tags", async () => {
  const { stage, prod, regs, m } = setup();
  const img = seedImage(stage, "foo", [bytesOf("l1"), bytesOf("l2")], { odd: true });
  const p = await planOver(regs, [edge(m, DST, "foo", img.digest, "1.0")]);
  const r = await executeOver(regs, p);
  assert.ok([...r.outcomes.values()].every((o) => o.ok), r.log);
  const bytes = prod.manifestBytes("img/foo", img.digest);
  assert.ok(bytes);
  assert.equal(digestOf(bytes), img.digest);
  assert.deepEqual(bytes, stage.manifestBytes("foo", img.digest));
  assert.equal(prod.tagged("img/foo", "1.0"), img.digest);
  assert.equal(prod.callsOf("putBlob").length, 3);
  assert.match(r.log, /Copied prod\.example\/img\/foo@sha256:[0-9a-f]{64} \(1\/1\) in /);
});

Deno.test("execute() copies an index with untagged children, children first", async () => {
  const { stage, prod, regs, m } = setup();
  const kids = ["amd64", "arm64", "s390x"].map((a) =>
    seedImage(stage, "multi", [bytesOf(a)], { docker: true })
  );
  const idx = seedIndex(stage, "multi", kids, { docker: true, tags: ["v1"] });
  const edges = [edge(m, DST, "multi", idx.digest, "v1")];
  const r = await executeOver(regs, await planOver(regs, edges));
  assert.ok([...r.outcomes.values()].every((o) => o.ok), r.log);
  for (const k of kids) {
    assert.equal(digestOf(prod.manifestBytes("img/multi", k.digest)!), k.digest);
  }
  const puts = prod.callsOf("putManifest").map((c) => c.ref);
  assert.deepEqual(puts.slice(0, 3).sort(), kids.map((k) => k.digest).sort());
  assert.deepEqual(puts.slice(3), ["v1"]);
  assert.equal(digestOf(prod.manifestBytes("img/multi", idx.digest)!), idx.digest);
});

Deno.test("execute() transfers a shared blob once per destination repository", async () => {
  const { stage, prod, mirror, regs, m } = setup();
  const shared = bytesOf("shared", 5000);
  const a = seedImage(stage, "foo", [shared, bytesOf("a")], { name: "a" });
  const b = seedImage(stage, "foo", [shared, bytesOf("b")], { name: "b" });
  const edges = [
    edge(m, DST, "foo", a.digest, "a"),
    edge(m, DST, "foo", b.digest, "b"),
    edge(m, DST2, "foo", a.digest, "a"),
    edge(m, DST2, "foo", b.digest, null),
  ];
  const r = await executeOver(regs, await planOver(regs, edges));
  assert.ok([...r.outcomes.values()].every((o) => o.ok), r.log);
  const sharedDigest = digestOf(shared);
  for (const be of [prod, mirror]) {
    assert.equal(be.callsOf("putBlob").filter((c) => c.ref === sharedDigest).length, 1);
    assert.equal(be.callsOf("putBlob").length, 5);
  }
  assert.equal(r.stats.blobsStreamed, 10);
});

Deno.test("execute() mounts a blob already written to another repository of the destination", async () => {
  const { stage, prod, regs, m } = setup();
  const shared = bytesOf("shared", 5000);
  const a = seedImage(stage, "one", [shared], { name: "a" });
  const b = seedImage(stage, "two", [shared], { name: "b" });
  const edges = [edge(m, DST, "one", a.digest, null), edge(m, DST, "two", b.digest, null)];
  const r = await executeOver(regs, await planOver(regs, edges));
  assert.ok([...r.outcomes.values()].every((o) => o.ok), r.log);
  const sharedDigest = digestOf(shared);
  assert.equal(prod.callsOf("putBlob").filter((c) => c.ref === sharedDigest).length, 1);
  assert.equal(prod.callsOf("mountBlob").filter((c) => c.ref === sharedDigest).length, 1);
  assert.ok(prod.holdsBlob("img/one", sharedDigest) && prod.holdsBlob("img/two", sharedDigest));
});

/** Staging and production as two repositories of one backend (a same-host promotion). */
function oneHost() {
  const reg = new MemoryBackend("one-host");
  const regs: Registries = {
    "host/staging": { backend: reg, prefix: "staging" },
    "host/prod": { backend: reg, prefix: "prod" },
  };
  return { reg, regs, m: manifestOf("host/staging", ["host/prod"]) };
}

Deno.test("execute() mounts from the source repository when both share a backend", async () => {
  const { reg, regs, m } = oneHost();
  const img = seedImage(reg, "staging/foo", [bytesOf("x", 9000)]);
  const r = await executeOver(
    regs,
    await planOver(regs, [edge(m, "host/prod", "foo", img.digest, "1")]),
  );
  assert.ok([...r.outcomes.values()].every((o) => o.ok), r.log);
  assert.equal(reg.callsOf("putBlob").length, 0);
  assert.equal(reg.callsOf("mountBlob").length, 2);
  assert.equal(reg.tagged("prod/foo", "1"), img.digest);
});

Deno.test("execute() adds a tag by PUTting the digest's exact bytes, without blobs", async () => {
  const { stage, prod, regs, m } = setup();
  const img = seedImage(stage, "foo", [bytesOf("l")], { odd: true });
  await executeOver(regs, await planOver(regs, [edge(m, DST, "foo", img.digest, "1.0")]));
  prod.calls.length = 0;
  const p = await planOver(regs, [
    edge(m, DST, "foo", img.digest, "1.0"),
    edge(m, DST, "foo", img.digest, "stable"),
  ]);
  assert.deepEqual(p.actions.map((a) => [a.kind, a.tags]), [["tag", ["stable"]]]);
  const r = await executeOver(regs, p);
  assert.ok([...r.outcomes.values()].every((o) => o.ok), r.log);
  assert.deepEqual(prod.calls.filter((c) => c.op.startsWith("put")).map((c) => c.ref), [
    "stable",
  ]);
  assert.equal(prod.tagged("img/foo", "stable"), img.digest);
});

Deno.test("execute() finishes other images when one source image is unreadable", async () => {
  const { stage, prod, regs, m } = setup();
  const good = seedImage(stage, "good", [bytesOf("g")]);
  const bad = seedImage(stage, "bad", [bytesOf("b")]);
  stage.fault = (c) =>
    c.op === "getManifest" && c.repo === "bad"
      ? new RegistryError("registry returned 403 DENIED", { status: 403, codes: ["DENIED"] })
      : undefined;
  const p = await planOver(regs, [
    edge(m, DST, "good", good.digest, "1"),
    edge(m, DST, "bad", bad.digest, "1"),
  ]);
  const r = await executeOver(regs, p);
  const byImage = new Map([...r.outcomes].map(([a, o]) => [a.image, o]));
  assert.equal(byImage.get("good")?.ok, true);
  assert.equal(byImage.get("bad")?.ok, false);
  assert.match(byImage.get("bad")?.error ?? "", /403 DENIED/);
  assert.equal(prod.tagged("img/good", "1"), good.digest);
  assert.equal(prod.tagged("img/bad", "1"), undefined);
  assert.match(r.log, /ERROR: Failed prod\.example\/img\/bad@/);
});

Deno.test("execute() retries a blob copy that met a temporary error, then succeeds", async () => {
  const { stage, prod, regs, m } = setup();
  const img = seedImage(stage, "foo", [bytesOf("l", 20000)]);
  let failures = 2;
  prod.fault = (c) =>
    c.op === "putBlob" && c.ref !== img.digest && failures-- > 0
      ? new RegistryError("registry returned 503", { status: 503, temporary: true })
      : undefined;
  const sleeps: number[] = [];
  const r = await executeOver(
    regs,
    await planOver(regs, [edge(m, DST, "foo", img.digest, null)]),
    sleeps,
  );
  assert.ok([...r.outcomes.values()].every((o) => o.ok), r.log);
  assert.equal(sleeps.length, 2);
  assert.equal(digestOf(prod.manifestBytes("img/foo", img.digest)!), img.digest);
});

Deno.test("execute() does not retry opening a source blob: the transport below already did", async () => {
  const { stage, prod, regs, m } = setup();
  const img = seedImage(stage, "foo", [bytesOf("l", 20000)]);
  stage.fault = (c) => {
    if (c.op !== "getBlob") return undefined;
    const e = new RegistryError("registry returned 503", { status: 503, temporary: true });
    e.exhausted = true; // what the transport's retry layer marks when it gives up
    return e;
  };
  const sleeps: number[] = [];
  const r = await executeOver(
    regs,
    await planOver(regs, [edge(m, DST, "foo", img.digest, null)]),
    sleeps,
  );
  assert.ok([...r.outcomes.values()].every((o) => !o.ok));
  assert.deepEqual(sleeps, []);
  const opened = stage.callsOf("getBlob").map((c) => c.ref);
  assert.ok(opened.length > 0);
  assert.equal(new Set(opened).size, opened.length, "a source blob was opened twice");
  assert.equal(prod.callsOf("putManifest").length, 0);
});

Deno.test("execute() gives up on a blob after its attempts and never PUTs the manifest", async () => {
  const { stage, prod, regs, m } = setup();
  const img = seedImage(stage, "foo", [bytesOf("l")]);
  prod.fault = (c) =>
    c.op === "putBlob"
      ? new RegistryError("registry returned 503", { status: 503, temporary: true })
      : undefined;
  const r = await executeOver(regs, await planOver(regs, [edge(m, DST, "foo", img.digest, "1")]));
  const [outcome] = [...r.outcomes.values()];
  assert.equal(outcome?.ok, false);
  assert.match(
    outcome?.error ?? "",
    /Cannot copy blob sha256:[0-9a-f]+ from stage\/foo to prod\/img\/foo: registry returned 503/,
  );
  assert.equal(prod.callsOf("putManifest").length, 0);
});

Deno.test("execute() starts a failed blob upload again by the run's retry policy", async () => {
  const { stage, prod, regs, m } = setup();
  const img = seedImage(stage, "foo", [bytesOf("l")]);
  let failures = 2;
  prod.fault = (c) =>
    c.op === "putBlob" && failures-- > 0
      ? new RegistryError("registry returned 503", { status: 503, temporary: true })
      : undefined;
  const sleeps: number[] = [];
  const r = await executeOver(
    regs,
    await planOver(regs, [edge(m, DST, "foo", img.digest, "1")]),
    sleeps,
  );
  assert.ok([...r.outcomes.values()].every((o) => o.ok));
  // The image's two blobs (config, layer) each failed once: one wait of the policy each (the
  // first backoff, full jitter at half: 250 ms), after a look at the destination in case the
  // upload had been stored.
  assert.deepEqual(sleeps, [250, 250]);
  assert.equal(prod.callsOf("putBlob").length, 2 + 2);
  assert.ok(prod.callsOf("hasBlob").length >= 2);
});

Deno.test("execute() finds a blob whose upload answer was lost and does not send it again", async () => {
  const { stage, prod, regs, m } = setup();
  const img = seedImage(stage, "foo", [bytesOf("l")]);
  const store = prod.putBlob.bind(prod);
  let lost = 0;
  prod.putBlob = async (repo, blob, body) => {
    await store(repo, blob, body);
    if (lost++ > 0) return;
    throw new RegistryError("Cannot upload: connection reset", { temporary: true });
  };
  const sleeps: number[] = [];
  const r = await executeOver(
    regs,
    await planOver(regs, [edge(m, DST, "foo", img.digest, "1")]),
    sleeps,
  );
  assert.ok([...r.outcomes.values()].every((o) => o.ok));
  assert.equal(lost, 2, "each blob's upload was sent once"); // the config and the layer
  assert.deepEqual(sleeps, []);
  assert.equal(r.stats.blobsStreamed, 2);
});

Deno.test("execute() does not retry a permanent blob error", async () => {
  const { stage, prod, regs, m } = setup();
  const img = seedImage(stage, "foo", [bytesOf("l")]);
  prod.fault = (c) =>
    c.op === "putBlob" ? new RegistryError("registry returned 403", { status: 403 }) : undefined;
  const sleeps: number[] = [];
  await executeOver(regs, await planOver(regs, [edge(m, DST, "foo", img.digest, "1")]), sleeps);
  assert.equal(sleeps.length, 0);
  assert.equal(prod.callsOf("putBlob").length, 2);
});

Deno.test("execute() refuses manifest bytes that do not hash to their digest", async () => {
  const { stage, prod, regs, m } = setup();
  const img = seedImage(stage, "foo", [bytesOf("l")]);
  const real = stage.getManifest.bind(stage);
  stage.getManifest = async (repo, ref) => {
    const got = await real(repo, ref);
    return got && { ...got, bytes: new TextEncoder().encode(" ") };
  };
  const r = await executeOver(regs, await planOver(regs, [edge(m, DST, "foo", img.digest, "1")]));
  assert.match([...r.outcomes.values()][0]?.error ?? "", /do not hash to that digest/);
  assert.equal(prod.writes(), 0);
});

Deno.test("execute() has every image in flight at once (no sequential copying)", async () => {
  const { stage, regs, m } = setup();
  const imgs = ["a", "b", "c"].map((n) => seedImage(stage, n, [bytesOf(n)]));
  let inFlight = 0;
  let peak = 0;
  const real = stage.getManifest.bind(stage);
  stage.getManifest = async (repo, ref) => {
    peak = Math.max(peak, ++inFlight);
    await new Promise((r) => setTimeout(r, 0));
    inFlight--;
    return real(repo, ref);
  };
  const p = await planOver(regs, imgs.map((x, i) => edge(m, DST, "abc"[i]!, x.digest, "1")));
  const r = await executeOver(regs, p);
  assert.ok([...r.outcomes.values()].every((o) => o.ok), r.log);
  assert.equal(peak, 3);
});

Deno.test("execute() draws one updating progress line on a terminal", async () => {
  const { stage, regs, m } = setup();
  const img = seedImage(stage, "foo", [bytesOf("l", 3000)]);
  const p = await planOver(regs, [edge(m, DST, "foo", img.digest, "1")]);
  let log = "";
  await execute(p, {
    backends: new Map(Object.entries(regs).map(([n, x]) => [n, x.backend])),
    log: new Logger("info", (t) => log += t, true, () => 0),
    terminal: true,
    now: () => 0,
  });
  assert.ok(log.includes("\r\x1b[2KPromoting: 1/1 images, 0.0/0.0 MiB, "), JSON.stringify(log));
  assert.match(log, /MiB\/s\n$/);
  assert.doesNotMatch(log, /Copied/);
});

Deno.test("execute() counts a stored small blob's bytes in progress, and a failed one's not", async () => {
  const { stage, prod, regs, m } = setup();
  const good = seedImage(stage, "good", [bytesOf("g", 1024 * 1024)]);
  const bad = seedImage(stage, "bad", [bytesOf("b", 1024 * 1024)]);
  prod.fault = (c) =>
    c.op === "putBlob" && c.repo === "img/bad"
      ? new RegistryError("registry returned 403 DENIED", { status: 403 })
      : undefined;
  const p = await planOver(regs, [
    edge(m, DST, "good", good.digest, "1"),
    edge(m, DST, "bad", bad.digest, "1"),
  ]);
  let log = "";
  const r = await execute(p, {
    backends: new Map(Object.entries(regs).map(([n, x]) => [n, x.backend])),
    log: new Logger("info", (t) => log += t, true, () => 0),
    terminal: true,
    now: () => 0,
  });
  assert.equal([...r.outcomes.values()].filter((o) => o.ok).length, 1);
  assert.match(log, /Promoting: 2\/2 images, 1\.0\/2\.0 MiB, [^\r]*\n$/);
  assert.ok(r.stats.bytesStreamed >= 1024 * 1024 && r.stats.bytesStreamed < 1100 * 1024);
});

Deno.test("execute() copies the bytes when a mount is refused", async () => {
  const { reg, regs, m } = oneHost();
  reg.fault = (c) =>
    c.op === "mountBlob"
      ? new RegistryError("registry returned 403 DENIED", { status: 403 })
      : undefined;
  const img = seedImage(reg, "staging/foo", [bytesOf("x", 9000)]);
  const r = await executeOver(
    regs,
    await planOver(regs, [edge(m, "host/prod", "foo", img.digest, "1")]),
  );
  assert.ok([...r.outcomes.values()].every((o) => o.ok), r.log);
  assert.equal(reg.callsOf("putBlob").length, 2);
  assert.equal(reg.tagged("prod/foo", "1"), img.digest);
});

Deno.test("execute() retries a blob whose source stream broke half-way, and stores it whole", async () => {
  const { stage, prod, regs, m } = setup();
  const layer = bytesOf("big", 50_000);
  const img = seedImage(stage, "foo", [layer]);
  const real = stage.getBlob.bind(stage);
  let broken = 0;
  stage.getBlob = async (repo, digest) => {
    const blob = await real(repo, digest);
    if (digest !== digestOf(layer) || broken++ > 0) return blob;
    const reader = blob.body.getReader();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(ctl) {
        if (sent > 10_000) {
          const reset = new RegistryError("connection reset", { temporary: true });
          return ctl.error(new Error("reading the source failed", { cause: reset }));
        }
        const { value, done } = await reader.read();
        if (done) return ctl.close();
        sent += value.length;
        ctl.enqueue(value);
      },
    });
    return { size: blob.size, body };
  };
  const sleeps: number[] = [];
  const r = await executeOver(
    regs,
    await planOver(regs, [edge(m, DST, "foo", img.digest, "1")]),
    sleeps,
  );
  assert.ok([...r.outcomes.values()].every((o) => o.ok), r.log);
  assert.equal(sleeps.length, 1);
  assert.ok(prod.holdsBlob("img/foo", digestOf(layer)));
  assert.equal(prod.tagged("img/foo", "1"), img.digest);
});

Deno.test("execute() reads a tag right before writing it and refuses one that moved since the plan", async () => {
  for (const kind of ["copy", "tag"] as const) {
    const { stage, prod, regs, m } = setup();
    const wanted = seedImage(stage, "foo", [bytesOf("a")]);
    if (kind === "tag") seedImage(prod, "img/foo", [bytesOf("a")], { name: "foo" });
    const edges = [edge(m, DST, "foo", wanted.digest, "1.0")];
    const p = await planOver(regs, edges);
    assert.equal(p.actions[0]?.kind, kind);
    // Between the plan and the write, someone points 1.0 at another image.
    const other = seedImage(prod, "img/foo", [bytesOf("b")], { tags: ["1.0"] });
    const r = await executeOver(regs, p);
    const outcome = [...r.outcomes.values()][0]!;
    assert.equal(outcome.ok, false);
    assert.match(
      outcome.error!,
      new RegExp(
        `Refusing to set tag "1\\.0" in prod/img/foo to ${wanted.digest}: it points at ` +
          `${other.digest} now; cip never moves a tag`,
      ),
    );
    assert.equal(prod.tagged("img/foo", "1.0"), other.digest, kind);
    assert.deepEqual(prod.callsOf("putManifest"), [], kind);
  }
});

Deno.test("execute() writes nothing for a tag that came to point at the wanted digest since the plan", async () => {
  const { stage, prod, regs, m } = setup();
  const wanted = seedImage(stage, "foo", [bytesOf("a")]);
  const p = await planOver(regs, [edge(m, DST, "foo", wanted.digest, "1.0")]);
  seedImage(prod, "img/foo", [bytesOf("a")], { tags: ["1.0"], name: "foo" });
  assert.equal(prod.tagged("img/foo", "1.0"), wanted.digest);
  const r = await executeOver(regs, p);
  assert.ok([...r.outcomes.values()].every((o) => o.ok), r.log);
  assert.deepEqual(prod.callsOf("putManifest"), []);
});
