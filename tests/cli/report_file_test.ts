import assert from "node:assert/strict";
import { checkReportTarget, writeReport } from "../../src/cli/report_file.ts";
import { UsageError } from "../../src/cli/usage_error.ts";
import { tempDir } from "../fixtures/temp_dirs.ts";

Deno.test("checkReportTarget() refuses a missing directory, a file as directory and a directory as file", async () => {
  const dir = await tempDir();
  await Deno.writeTextFile(`${dir}/file`, "x");
  const usage = (re: RegExp) => (e: unknown) => e instanceof UsageError && re.test(e.message);
  await assert.rejects(checkReportTarget(`${dir}/no/r.json`), usage(/no does not exist$/));
  await assert.rejects(checkReportTarget(`${dir}/file/r.json`), usage(/file is not a directory$/));
  await assert.rejects(checkReportTarget(dir), usage(/: is a directory$/));
  await checkReportTarget(`${dir}/r.json`);
  await checkReportTarget(`${dir}/file`);
});

Deno.test("writeReport() replaces the file and leaves no temporary file behind", async () => {
  const dir = await tempDir();
  await Deno.writeTextFile(`${dir}/r.json`, "old");
  await writeReport(`${dir}/r.json`, "{}\n");
  assert.equal(await Deno.readTextFile(`${dir}/r.json`), "{}\n");
  assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name), ["r.json"]);
});
