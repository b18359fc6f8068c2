import assert from "node:assert/strict";
import { MAX_SIGNATURE_BLOB_BYTES, readSignatureBlob } from "../../src/trust/mod.ts";
import { MemoryBackend } from "../fakes/memory_backend.ts";

Deno.test("readSignatureBlob() reads a blob checked against its digest, and refuses one too large unread", async () => {
  const b = new MemoryBackend("mem");
  const bytes = new TextEncoder().encode('{"a bundle":true}');
  const d = b.seedBlob("r", bytes);
  assert.deepEqual(await readSignatureBlob(b, "r", d), bytes);
  await assert.rejects(
    readSignatureBlob(b, "r", { digest: d.digest, size: bytes.length - 1 }),
    /its bytes do not match/,
  );
  const calls = b.calls.length;
  await assert.rejects(
    readSignatureBlob(b, "r", { digest: d.digest, size: MAX_SIGNATURE_BLOB_BYTES + 1 }),
    /more than the 1048576 cip reads/,
  );
  assert.equal(b.calls.length, calls, "a blob too large is not read");
});

Deno.test("docs/security.md states the bound on signature blobs the code keeps", async () => {
  const doc = await Deno.readTextFile(new URL("../../docs/security.md", import.meta.url));
  const row = doc.split("\n").find((l) => l.startsWith("| a signature blob"));
  assert.ok(row?.includes(`| ${MAX_SIGNATURE_BLOB_BYTES / 1048576} MiB read`), row);
});
