import assert from "node:assert/strict";
import { makeContext } from "../../src/cli/context.ts";
import { parseFlags } from "../../src/cli/flags.ts";
import { rejectSnapshotFlags, runSnapshot } from "../../src/cli/snapshot.ts";
import { type SnapshotAccess, SnapshotError } from "../../src/snapshot/pipeline.ts";
import { UsageError } from "../../src/cli/usage_error.ts";
import type { Backend } from "../../src/registry/api.ts";
import { RegistryError } from "../../src/registry/errors.ts";
import type { Inventory } from "../../src/registry/inventory_types.ts";
import { recordingIo } from "./recording_io.ts";
import { inventoryOf } from "../fixtures/inventory.ts";

const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;
const L = `sha256:${"f".repeat(64)}`;

const backend = { id: "fake", display: "reg.test" } as Backend;

/** Fake registry access over a fixed inventory; `fail` makes the walk throw after some progress. */
function fakeAccess(inv: Inventory, fail?: Error): SnapshotAccess & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    open(name, sa) {
      opened.push(`${name}${sa ? ` as ${sa}` : ""}`);
      const slash = name.indexOf("/");
      return Promise.resolve({ backend, prefix: slash < 0 ? "" : name.slice(slash + 1) });
    },
    walk(_b, prefix, onProgress) {
      const repos = [...inv.keys()].filter((r) => prefix === "" || r.startsWith(`${prefix}/`));
      onProgress(0, repos.length);
      if (fail) return Promise.reject(fail);
      onProgress(repos.length, repos.length);
      return Promise.resolve(new Map(repos.map((r) => [r, inv.get(r)!])));
    },
    read(_b, repos) {
      return Promise.resolve(new Map(repos.map((r) => [r, inv.get(r) ?? new Map()])));
    },
  };
}

const INV = inventoryOf({
  "p/foo": [
    { digest: L, tags: ["1.0"], children: [A, B] },
    { digest: A, tags: [] },
    { digest: B, tags: ["b"] },
  ],
  "p/bar": [{ digest: A, tags: ["latest"] }],
});

async function run(args: string[], access: SnapshotAccess) {
  const { io, result } = recordingIo();
  return result(await runSnapshot(makeContext(parseFlags(args), io), access));
}

Deno.test("runSnapshot() prints the YAML of the path's repositories and progress to stderr", async () => {
  const r = await run(["--snapshot=reg.test/p"], fakeAccess(INV));
  assert.equal(r.code, 0);
  assert.equal(
    r.stdout,
    `- name: bar\n  dmap:\n    "${A}": ["latest"]\n- name: foo\n  dmap:\n` +
      `    "${A}": []\n    "${B}": ["b"]\n    "${L}": ["1.0"]\n`,
  );
  assert.match(r.stderr, /snapshot of reg\.test\/p: 0\/2 repositories read\n/);
  assert.match(r.stderr, /snapshot of reg\.test\/p: 2 repositories read, 2 images, 4 digests\n/);
});

Deno.test("runSnapshot() applies --minimal-snapshot and --snapshot-tag", async () => {
  const r = await run(
    ["--snapshot=reg.test/p", "--minimal-snapshot", "--output=csv"],
    fakeAccess(INV),
  );
  assert.equal(r.stdout, `bar@${A},bar:latest\nfoo@${B},foo:b\nfoo@${L},foo:1.0\n`);
  const t = await run(
    ["--snapshot=reg.test/p", "--snapshot-tag=1.0", "--output=csv"],
    fakeAccess(INV),
  );
  assert.equal(t.stdout, `foo@${L},foo:1.0\n`);
});

Deno.test("runSnapshot() passes --snapshot-service-account to the opener", async () => {
  const access = fakeAccess(INV);
  await run(
    ["--snapshot=reg.test", "--snapshot-service-account=sa@p.iam.gserviceaccount.com"],
    access,
  );
  assert.deepEqual(access.opened, ["reg.test as sa@p.iam.gserviceaccount.com"]);
});

Deno.test("runSnapshot() prints nothing and throws SnapshotError when the walk fails", async () => {
  const cause = new RegistryError("Cannot list tags of reg.test/p/foo: registry returned 403", {
    status: 403,
  });
  const { io, out } = recordingIo();
  const ctx = makeContext(parseFlags(["--snapshot=reg.test/p"]), io);
  await assert.rejects(runSnapshot(ctx, fakeAccess(INV, cause)), (e: unknown) => {
    assert.ok(e instanceof SnapshotError);
    assert.equal(e.cause, cause);
    assert.match(e.message, /reg\.test\/p/);
    return true;
  });
  assert.deepEqual(out, []);
});

Deno.test("runSnapshot() warns about images held by the path's own repository", async () => {
  const inv = inventoryOf({
    "p": [{ digest: A, tags: ["x"] }],
    "p/foo": [{ digest: B, tags: [] }],
  });
  const r = await run(["--snapshot=reg.test/p"], {
    ...fakeAccess(inv),
    walk: () => Promise.resolve(inv),
  });
  assert.equal(r.stdout, `- name: foo\n  dmap:\n    "${B}": []\n`);
  assert.match(r.stderr, /WARN: p holds images but is the snapshot's path itself/);
});

const usage: [string, string[], RegExp][] = [
  [
    "an unknown output format",
    ["--snapshot=r.io", "--output=xml"],
    /--output must be one of yaml, csv, json, not "xml"/,
  ],
  ["an invalid tag", ["--snapshot=r.io", "--snapshot-tag=-x"], /"-x" is not a valid tag/],
  [
    "both snapshot modes",
    ["--snapshot=r.io", "--manifest-based-snapshot-of=r.io"],
    /cannot be used together/,
  ],
  [
    "--snapshot with a manifest",
    ["--snapshot=r.io", "--manifest=m.yaml"],
    /--snapshot reads a registry/,
  ],
  [
    "a manifest-based snapshot without manifests",
    ["--manifest-based-snapshot-of=r.io"],
    /needs --manifest or --thin-manifest-dir/,
  ],
  ["an invalid registry name", ["--snapshot=https://r.io"], /is not a registry name/],
  [
    "--confirm with a snapshot",
    ["--snapshot=r.io", "--confirm"],
    /--confirm cannot be used with a snapshot/,
  ],
];

for (const [what, args, message] of usage) {
  Deno.test(`runSnapshot() refuses ${what} before opening a registry`, async () => {
    const access = fakeAccess(INV);
    const { io } = recordingIo();
    await assert.rejects(runSnapshot(makeContext(parseFlags(args), io), access), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, message);
      return true;
    });
    assert.deepEqual(access.opened, []);
  });
}

Deno.test("rejectSnapshotFlags() refuses snapshot flags in other modes", () => {
  assert.throws(
    () => rejectSnapshotFlags(parseFlags(["--manifest=m.yaml", "--output=csv"])),
    /--output needs --snapshot or --manifest-based-snapshot-of/,
  );
  rejectSnapshotFlags(parseFlags(["--manifest=m.yaml"]));
});
