/** Promotion end to end: `cip` as a subprocess between real docker-registry processes. */
import assert from "node:assert/strict";
import { digestOf } from "../fixtures/images.ts";
import { runCli } from "../cli/run_cli.ts";
import { type LoggedRegistry, startLoggedRegistry, writesOf } from "./logged_registry.ts";
import {
  assertPromoted,
  fetchManifest,
  pushStaging,
  type Staging,
  tagsOf,
  writeManifest,
  writeThinDir,
} from "./promote_fixture.ts";
import { startFaultProxy } from "./fault_proxy.ts";
import { requireBinary } from "./registry_process.ts";
import { skopeoRaw } from "./skopeo.ts";

/** Two registries: A holds staging (and a same-host destination), B the production ones. */
async function withRegistries(
  fn: (a: LoggedRegistry, b: LoggedRegistry, staging: Staging, dir: string) => Promise<void>,
) {
  requireBinary("skopeo");
  const a = await startLoggedRegistry();
  const b = await startLoggedRegistry();
  const dir = await Deno.makeTempDir({ prefix: "cip-promote-it-" });
  try {
    const staging = await pushStaging(a.url, "staging");
    await fn(a, b, staging, dir);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await Deno.remove(dir, { recursive: true });
  }
}

async function marks(...regs: LoggedRegistry[]) {
  await Promise.all(regs.map((r) => r.mark()));
}

async function writes(r: LoggedRegistry) {
  return writesOf(await r.served());
}

Deno.test("cip promotes byte for byte to several destinations, and a rerun writes nothing", async () => {
  await withRegistries(async (a, b, staging, dir) => {
    const dsts = [`${b.host}/prod`, `${b.host}/mirror`, `${a.host}/released`];
    const manifest = await writeManifest(dir, `${a.host}/staging`, dsts, staging.dmap);

    await marks(a, b);
    const dry = await runCli(["run", `--manifest=${manifest}`]);
    assert.equal(dry.code, 0, dry.stderr);
    for (const d of dsts) {
      assert.match(dry.stdout, new RegExp(`${d} \\(from .*\\):\\n {2}to copy \\(8\\):`));
    }
    assert.deepEqual(await writes(a), []);
    assert.deepEqual(await writes(b), []);

    await marks(a, b);
    const run = await runCli([
      "run",
      `--manifest=${manifest}`,
      "--confirm",
      `--report=${dir}/report.json`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(await Deno.readTextFile(`${dir}/report.json`));
    assert.equal(report.mode, "confirm");
    assert.ok(report.edges.every((e: { result: string }) => e.result === "copied"));
    assert.ok(report.transport.hosts[b.host].requests.PUT > 0);
    assert.ok(report.transport.bytesUp > 0);
    for (const [reg, prefix] of [[b, "prod"], [b, "mirror"], [a, "released"]] as const) {
      await assertPromoted(reg.url, prefix, staging.dmap);
    }
    // The same-host destination got every blob by mount, none by upload.
    const aWrites = await writes(a);
    assert.ok(aWrites.some((w) => w.method === "POST" && w.uri.includes("mount=")));
    assert.deepEqual(aWrites.filter((w) => w.method === "PATCH"), []);
    // skopeo, an independent client, reads the exact bytes.
    const raw = await skopeoRaw(`${b.host}/prod/tool:2.0`);
    assert.equal(digestOf(raw), staging.tool.manifest.digest);
    // Each manifest and tag PUT once per destination repository.
    const puts = (await writes(b)).filter((w) =>
      w.method === "PUT" && w.uri.includes("/manifests/")
    );
    assert.equal(new Set(puts.map((p) => p.uri)).size, puts.length);

    await marks(a, b);
    const again = await runCli(["run", `--manifest=${manifest}`, "--confirm"]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await writes(a), []);
    assert.deepEqual(await writes(b), []);
    assert.match(
      again.stderr,
      new RegExp(`${b.host}/prod: 0 copied, 0 tags added, 8 already present`),
    );
  });
});

Deno.test("cip promotes from a thin manifest directory, tagless digests included", async () => {
  await withRegistries(async (a, b, staging, dir) => {
    const thin = await writeThinDir(dir, `${a.host}/staging`, [`${b.host}/prod`], staging.dmap);
    const run = await runCli(["run", `--thin-manifest-dir=${thin}`, "--confirm"]);
    assert.equal(run.code, 0, run.stderr);
    await assertPromoted(b.url, "prod", staging.dmap);
    assert.deepEqual(await tagsOf(b.url, "prod/bare"), []);
  });
});

Deno.test("cip adds a tag to a promoted digest with one manifest PUT", async () => {
  await withRegistries(async (a, b, staging, dir) => {
    const src = `${a.host}/staging`;
    const dsts = [`${b.host}/prod`];
    const first = await writeManifest(dir, src, dsts, staging.dmap);
    assert.equal((await runCli(["run", `--manifest=${first}`, "--confirm"])).code, 0);
    const more = structuredClone(staging.dmap);
    more.app![staging.app.manifest.digest]!.push("stable");
    const second = await writeManifest(dir, src, dsts, more, "second.yaml");
    const dry = await runCli(["run", `--manifest=${second}`]);
    assert.match(dry.stdout, /to tag \(1\):\n {4}app@sha256:\w+ add stable/);
    await marks(a, b);
    const run = await runCli(["run", `--manifest=${second}`, "--confirm"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual((await writes(b)).map((w) => [w.method, w.uri]), [
      ["PUT", "/v2/prod/app/manifests/stable"],
    ]);
    assert.deepEqual(await writes(a), []);
    await assertPromoted(b.url, "prod", more);
  });
});

Deno.test("cip refuses a tag move: the destination is unchanged and the exit code is 1", async () => {
  await withRegistries(async (a, b, staging, dir) => {
    const src = `${a.host}/staging`;
    const dsts = [`${b.host}/prod`];
    const first = await writeManifest(dir, src, dsts, staging.dmap);
    assert.equal((await runCli(["run", `--manifest=${first}`, "--confirm"])).code, 0);
    const moved = { app: { [staging.app2.manifest.digest]: ["1.0"] } };
    const second = await writeManifest(dir, src, dsts, moved, "moved.yaml");
    for (const args of [[], ["--confirm"]]) {
      await marks(b);
      const r = await runCli(["run", `--manifest=${second}`, ...args]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /refused \(1\):\n {4}app:1\.0 -> sha256:\w+ .*never moves a tag/);
      assert.deepEqual(await writes(b), []);
      const served = await fetchManifest(b.url, "prod/app", "1.0");
      assert.equal(digestOf(served!), staging.app.manifest.digest);
    }
  });
});

Deno.test("cip warns about an image found nowhere and exits 0", async () => {
  await withRegistries(async (a, b, staging, dir) => {
    const ghost = `sha256:${"0".repeat(64)}`;
    const dmap = { ...staging.dmap, ghost: { [ghost]: ["1"] } };
    const path = await writeManifest(dir, `${a.host}/staging`, [`${b.host}/prod`], dmap);
    const r = await runCli(["run", `--manifest=${path}`, "--confirm"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`WARN: ghost@${ghost} \\(.*promoter-manifest\\.yaml:\\d+\\)`),
    );
    assert.match(r.stdout, /not found in the source or the destination \(1\)/);
    await assertPromoted(b.url, "prod", staging.dmap);
  });
});

Deno.test("cip finishes the job after a run killed half-way", async () => {
  await withRegistries(async (a, b, staging, dir) => {
    // The destination is reached through a proxy that holds the index dlist's tag PUT forever:
    // the run cannot finish before it is killed, and other images get written meanwhile.
    const proxy = startFaultProxy(b.host);
    try {
      const dst = `${proxy.host}/prod`;
      const path = await writeManifest(dir, `${a.host}/staging`, [dst], staging.dmap);
      proxy.setRules([{
        method: "PUT",
        path: /^\/v2\/prod\/dlist\/manifests\/v1$/,
        action: { kind: "stall" },
        times: 1,
      }]);
      const main = new URL("../../main.ts", import.meta.url).pathname;
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", main, "run", `--manifest=${path}`, "--confirm"],
        stdout: "null",
        stderr: "null",
      }).spawn();
      await proxy.waitFor((r) => r.action === "stall");
      // A tag PUT of another image (not a child's digest): some tag is there at the kill.
      await proxy.waitFor((r) =>
        r.method === "PUT" && r.endpoint === "manifest" && r.status === 201 &&
        !r.path.includes("/dlist/") && !r.path.includes("/manifests/sha256:")
      );
      child.kill("SIGKILL");
      assert.notEqual((await child.status).code, 0);
      // Killed half-way: some tags are there, the held one is not.
      assert.deepEqual(await tagsOf(b.url, "prod/dlist"), []);
      const tagged = await Promise.all(
        ["app", "tool", "multi"].map((n) => tagsOf(b.url, `prod/${n}`)),
      );
      assert.ok(tagged.some((t) => t.length > 0), "nothing was written before the kill");

      const rerun = await runCli(["run", `--manifest=${path}`, "--confirm"]);
      assert.equal(rerun.code, 0, rerun.stderr);
      await assertPromoted(b.url, "prod", staging.dmap);
      await marks(b);
      const third = await runCli(["run", `--manifest=${path}`, "--confirm"]);
      assert.equal(third.code, 0);
      assert.deepEqual(await writes(b), []);
    } finally {
      await proxy.stop();
    }
  });
});
