/** The command line's view of attachments: the dry-run list, the summary, --report, --no-attachments. */
import assert from "node:assert/strict";
import { makeContext } from "../../src/cli/context.ts";
import { parseFlags } from "../../src/cli/flags.ts";
import { promoteEdges } from "../../src/cli/promote.ts";
import type { RegistryAccess } from "../../src/promote/access.ts";
import type { Edge } from "../../src/manifest/types.ts";
import { type ArtifactFixture, cosignSignatures } from "../fixtures/attachments.ts";
import { tempDir } from "../fixtures/temp_dirs.ts";
import { MemoryBackend } from "../fakes/memory_backend.ts";
import { edge, manifestOf } from "../promote/edges_fixture.ts";
import { bytesOf, seedImage } from "../promote/image_fixture.ts";
import { readInventory } from "../promote/run_fixture.ts";
import { recordingIo } from "./recording_io.ts";

const SRC = "stage.example";
const DST = "prod.example";

function world() {
  const stage = new MemoryBackend("stage");
  const prod = new MemoryBackend("prod");
  const access: RegistryAccess = {
    open: (name) => Promise.resolve({ backend: name === SRC ? stage : prod, prefix: "" }),
    readRepositories: (b, repos) => readInventory(b as MemoryBackend, repos),
  };
  return { stage, prod, access, m: manifestOf(SRC, [DST]) };
}

function seedArtifact(b: MemoryBackend, repo: string, a: ArtifactFixture): void {
  for (const blob of a.blobs) b.seedBlob(repo, blob.bytes);
  b.seedManifest(repo, a.manifest.mediaType, a.manifest.bytes, a.tag ? [a.tag] : []);
}

async function run(args: string[], edges: Edge[], access: RegistryAccess) {
  const { io, result } = recordingIo();
  const ctx = makeContext(parseFlags(["--manifest=x.yaml", ...args]), io);
  return result(await promoteEdges(ctx, edges, access));
}

Deno.test("a dry run lists what would be attached per image, by kind and count", async () => {
  const { stage, prod, access, m } = world();
  const a = seedImage(stage, "foo", [bytesOf("a")], { tags: ["1.0"] });
  seedArtifact(stage, "foo", cosignSignatures(a.digest, [1, 2]));
  const r = await run([], [edge(m, DST, "foo", a.digest, "1.0")], access);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    new RegExp(`Attachments .*:\\n {2}prod\\.example/foo@${a.digest}: 1 signature \\(1 to copy\\)`),
  );
  assert.match(r.stderr, /prod\.example \(dry run\): attachments 1 to copy, 0 to merge/);
  assert.equal(prod.writes(), 0);
});

Deno.test("--confirm copies the signature and --report counts it; --no-attachments leaves it behind", async () => {
  const dir = await tempDir("cip-attach-cli-");
  for (const off of [false, true]) {
    const { stage, prod, access, m } = world();
    const a = seedImage(stage, "foo", [bytesOf("a")], { tags: ["1.0"] });
    const sig = cosignSignatures(a.digest, [1]);
    seedArtifact(stage, "foo", sig);
    const report = `${dir}/report-${off}.json`;
    const flags = ["--confirm", `--report=${report}`, ...(off ? ["--no-attachments"] : [])];
    const r = await run(flags, [edge(m, DST, "foo", a.digest, "1.0")], access);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(await Deno.readTextFile(report));
    if (off) {
      assert.equal(prod.tagged("foo", sig.tag!), undefined);
      assert.equal(doc.attachments, null);
      assert.doesNotMatch(r.stdout, /Attachments/);
      continue;
    }
    assert.equal(prod.tagged("foo", sig.tag!), sig.manifest.digest);
    assert.match(r.stderr, /prod\.example: attachments 1 copied, 0 merged, 0 already present/);
    assert.deepEqual(doc.attachments.destinations[DST], {
      copied: 1,
      merged: 0,
      present: 0,
      failed: 0,
      refused: 0,
      indexes: 0,
    });
    assert.equal(doc.attachments.actions[0].kind, "signature");
    assert.equal(doc.attachments.actions[0].result, "copied");
    assert.equal(doc.attachments.actions[0].tag, sig.tag);
  }
});

Deno.test("a refused attachment (a .sbom tag that would move) fails the run with exit 1", async () => {
  const { stage, prod, access, m } = world();
  const a = seedImage(stage, "foo", [bytesOf("a")], { tags: ["1.0"] });
  const tag = `sha256-${a.digest.slice(7)}.sbom`;
  const other = seedImage(stage, "foo", [bytesOf("x")], { tags: [tag], name: "sbom-src" });
  // The destination has an SBOM of the image under cosign's tag, not the image yet.
  seedImage(prod, "foo", [bytesOf("y")], { tags: [tag], name: "sbom-dst" });
  const r = await run(["--confirm"], [edge(m, DST, "foo", a.digest, "1.0")], access);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`Refused \\w+ ${tag} of prod\\.example/foo@${a.digest}: tag`));
  assert.notEqual(prod.tagged("foo", tag), other.digest);
});
