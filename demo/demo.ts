/**
 * `deno task demo`: a real promotion, offline, on the OCI image layouts in testdata/demo — a
 * dry run, then `--confirm` into a fresh temporary directory, then a snapshot of the result.
 * Each step prints the command it runs; the promoted layouts are left in place to look at.
 */
import { main } from "../src/cli/mod.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const MANIFEST = "testdata/demo/promoter-manifest.yaml";
const DESTINATION = "ocidir://testdata/demo/production";

/** Runs one cip command line, echoing it to stderr; stops the demo when it fails. */
async function step(title: string, args: string[]): Promise<void> {
  console.error(`\n# ${title}\n$ cip ${args.join(" ")}`);
  const code = await main(args);
  if (code !== 0) {
    console.error(`demo: the step above exited ${code}`);
    Deno.exit(code);
  }
}

Deno.chdir(ROOT);
const dir = await Deno.makeTempDir({ prefix: "cip-demo-" });
const production = `ocidir://${dir}/production`;
const original = await Deno.readTextFile(MANIFEST);
if (!original.includes(DESTINATION)) {
  console.error(`demo: ${MANIFEST} no longer names ${DESTINATION}`);
  Deno.exit(1);
}
const manifest = `${dir}/promoter-manifest.yaml`;
await Deno.writeTextFile(manifest, original.replaceAll(DESTINATION, production));

await step("1. What would be promoted (a dry run: nothing is written)", [
  "run",
  `--manifest=${manifest}`,
]);
await step("2. Promote for real", ["run", `--manifest=${manifest}`, "--confirm"]);
await step("3. Promote again: everything is already there, nothing is written", [
  "run",
  `--manifest=${manifest}`,
  "--confirm",
]);
await step("4. A snapshot of the production registry (images.yaml format)", [
  `--snapshot=${production}`,
]);
console.error(`\nThe promoted OCI image layouts are in ${dir}/production`);
