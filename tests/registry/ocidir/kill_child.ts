/**
 * A writer for the kill test: pushes a fixed set of images into `ocidir://<root>` and, when
 * told, stops forever at the N-th occurrence of a write point after saying "STOPPED" on stdout,
 * so the parent can SIGKILL it exactly there.
 * Usage: deno run -A kill_child.ts ROOT [POINT COUNT]
 */
import type { WritePoint } from "../../../src/registry/ocidir/fs_util.ts";
import { OciDirBackend } from "../../../src/registry/ocidir/backend.ts";
import { pushImage, putUnder, tinyImage, tinyIndex } from "../../fixtures/tiny_images.ts";

const amd = tinyImage("kill amd64", "amd64");
const arm = tinyImage("kill arm64", "arm64", "v8");
const index = tinyIndex([amd, arm]);
const plain = tinyImage("kill plain");

/** What the writer leaves when it runs to the end, as `checkLayouts` lines. */
export const COMPLETE = [
  `app:1.0@${plain.manifest.digest}`,
  `app:latest@${plain.manifest.digest}`,
  `multi/arch:2.0@${index.digest}`,
  `multi/arch@${amd.manifest.digest}`,
  `multi/arch@${arm.manifest.digest}`,
].sort();

/** Pushes the fixed images. */
async function write(root: string, stopAt?: { point: WritePoint; count: number }) {
  let seen = 0;
  const backend = new OciDirBackend(root, {
    checkpoint: async (point) => {
      if (stopAt === undefined || point !== stopAt.point || ++seen < stopAt.count) return;
      await Deno.stdout.write(new TextEncoder().encode("STOPPED\n"));
      await Deno.stdin.read(new Uint8Array(1)); // the parent never writes: wait to be killed
      throw new Error("the parent closed stdin instead of killing the writer");
    },
  });
  await pushImage(backend, "app", plain, ["1.0", "latest"]);
  await pushImage(backend, "multi/arch", amd, []);
  await pushImage(backend, "multi/arch", arm, []);
  await putUnder(backend, "multi/arch", index, ["2.0"]);
}

if (import.meta.main) {
  const [root, point, count] = Deno.args;
  if (root === undefined) throw new Error("usage: kill_child.ts ROOT [POINT COUNT]");
  await write(root, point ? { point: point as WritePoint, count: Number(count) } : undefined);
  console.log("DONE");
}
