/** docs/releasing.md: the ways to run from source, and the tasks deno.json has. */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const doc = await Deno.readTextFile(new URL("docs/releasing.md", ROOT));

Deno.test("docs/releasing.md names the permission set the binary is built with", () => {
  assert.match(doc, /deno run -A main\.ts/);
  assert.match(doc, /deno run -P=cip --no-prompt main\.ts/);
});

Deno.test("docs/releasing.md lists every task of deno.json", async () => {
  const tasks = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))).tasks;
  const listed = Object.keys(tasks).filter((t) => !["test", "check", "lint", "fmt"].includes(t));
  for (const task of listed) assert.ok(doc.includes(`\`deno task ${task}\``), task);
});
