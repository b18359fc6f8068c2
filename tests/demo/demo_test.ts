import assert from "node:assert/strict";
import { runDeno } from "../cli/run_cli.ts";

const DEMO = new URL("../../demo/demo.ts", import.meta.url).pathname;

Deno.test("deno task demo promotes the demo images offline and snapshots the result", async () => {
  const { code, stdout, stderr } = await runDeno({ args: ["run", "-A", "--quiet", DEMO] });
  const dir = /The promoted OCI image layouts are in (\S+)\/production/.exec(stderr)?.[1];
  try {
    assert.equal(code, 0, stderr);
    assert.match(stdout, /Promotion plan \(dry run; nothing is written without --confirm\)/);
    assert.match(stderr, /production: 6 copied, 0 tags added, 0 already present/);
    assert.match(stderr, /production: 0 copied, 0 tags added, 6 already present/);
    assert.match(
      stdout,
      /- name: hello\n {2}dmap:\n {4}"sha256:8b407633[0-9a-f]{56}": \["1\.1", "latest"\]/,
    );
    assert.match(stdout, /- name: tools\/echo\n/);
  } finally {
    if (dir) await Deno.remove(dir, { recursive: true });
  }
});
