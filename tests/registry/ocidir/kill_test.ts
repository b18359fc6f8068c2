import assert from "node:assert/strict";
import { join } from "node:path";
import { OciDirBackend } from "../../../src/registry/ocidir/backend.ts";
import type { WritePoint } from "../../../src/registry/ocidir/fs_util.ts";
import { checkLayouts } from "../../fixtures/check_layouts.ts";
import { tempDir } from "../../fixtures/temp_dirs.ts";
import { COMPLETE } from "./kill_child.ts";

const CHILD = new URL("./kill_child.ts", import.meta.url).pathname;

/** Runs the writer; with a stop point, SIGKILLs it once it reports being there. */
async function runWriter(root: string, stop?: [WritePoint, number]): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", CHILD, root, ...(stop ? [stop[0], String(stop[1])] : [])],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let out = "";
  const dec = new TextDecoder();
  for await (const chunk of child.stdout) {
    out += dec.decode(chunk);
    if (stop && out.includes("STOPPED")) {
      child.kill("SIGKILL");
      break;
    }
  }
  const status = await child.status;
  await child.stdin.close().catch(() => {});
  if (stop) {
    assert.equal(status.signal, "SIGKILL", `the writer reached ${stop} and was killed`);
  } else {
    assert.equal(status.code, 0);
  }
  return out;
}

// Each write point, at an early and a late occurrence: the layout's 4 blobs per image, the
// index updates, and the manifests come in a fixed order, so these land in different images.
const stops: [WritePoint, number][] = [
  ["blob-written", 1],
  ["blob-written", 3],
  ["blob-written", 7],
  ["blob-stored", 2],
  ["index-written", 2],
  ["index-written", 4],
  ["index-stored", 3],
];

for (const stop of stops) {
  Deno.test(`a writer killed at ${stop[0]} #${stop[1]} leaves valid layouts, and a rerun completes them`, async () => {
    const root = join(await tempDir("ocidir-kill-"), "reg");
    await runWriter(root, stop);
    const partial = await checkLayouts(new OciDirBackend(root));
    for (const line of partial) assert.ok(COMPLETE.includes(line), `unexpected ${line}`);
    assert.ok(partial.length < COMPLETE.length, "the writer was stopped before the end");
    assert.match(await runWriter(root), /DONE/);
    assert.deepEqual(await checkLayouts(new OciDirBackend(root)), COMPLETE);
  });
}
