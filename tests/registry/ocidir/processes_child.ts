/**
 * A writer for the cross-process test: pushes images `<first>..<first+count-1>` into one
 * repository of `ocidir://<root>`, each under its own tag.
 * Usage: deno run -A processes_child.ts ROOT FIRST COUNT
 */
import { OciDirBackend } from "../../../src/registry/ocidir/backend.ts";
import { pushImage, tinyImage } from "../../fixtures/tiny_images.ts";

/** The image number `i` of the test. */
function imageNumber(i: number) {
  return tinyImage(`process image ${i}`);
}

if (import.meta.main) {
  const [root, first, count] = Deno.args;
  if (root === undefined) throw new Error("usage: processes_child.ts ROOT FIRST COUNT");
  const b = new OciDirBackend(root);
  const jobs = [];
  for (let i = Number(first); i < Number(first) + Number(count); i++) {
    jobs.push(pushImage(b, "shared", imageNumber(i), [`n${i}`]));
  }
  await Promise.all(jobs);
}
