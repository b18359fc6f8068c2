import assert from "node:assert/strict";
import { PERMISSION_FLAGS } from "../../.github/build/permission_flags.ts";
import { tempDir } from "../fixtures/temp_dirs.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

Deno.test("cip exits 1 with 'Cannot write to stdout' when the reader closes stdout early", async () => {
  const dir = await tempDir();
  const lines = [
    "registries:",
    "  - name: 127.0.0.1:1/s",
    "    src: true",
    "  - name: 127.0.0.1:1/d",
  ];
  lines.push("images:", "  - name: foo", "    dmap:");
  for (let i = 0; i < 3000; i++) {
    lines.push(`      "sha256:${i.toString(16).padStart(64, "0")}": ["t${i}"]`);
  }
  await Deno.writeTextFile(`${dir}/m.yaml`, lines.join("\n") + "\n");
  // A snapshot computed offline, far larger than a pipe's buffer, read by nobody.
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...PERMISSION_FLAGS,
      "--quiet",
      MAIN,
      `--manifest=${dir}/m.yaml`,
      "--manifest-based-snapshot-of=127.0.0.1:1/d",
    ],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await child.stdout.cancel();
  const [status, stderr] = await Promise.all([
    child.status,
    new Response(child.stderr).text(),
  ]);
  assert.equal(status.code, 1, stderr);
  assert.match(stderr, /^cip: Cannot write to stdout: [^\n(]+$/m);
  assert.doesNotMatch(stderr, /^\s+at |Uncaught|os error/m);
});
