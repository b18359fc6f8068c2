import assert from "node:assert/strict";
import { parseFlags } from "../../src/cli/flags.ts";
import { RunDeadline, RunTimeoutError, runTimeoutMs } from "../../src/cli/run_deadline.ts";
import { UsageError } from "../../src/cli/usage_error.ts";
import { recordingIo } from "./recording_io.ts";

Deno.test("runTimeoutMs() reads seconds, minutes and hours; 0 or nothing is no limit", () => {
  const ms = (v?: string) => runTimeoutMs(parseFlags(v === undefined ? [] : [`--timeout=${v}`]));
  assert.equal(ms(), undefined);
  assert.equal(ms("0"), undefined);
  assert.equal(ms("90"), 90_000);
  assert.equal(ms("90s"), 90_000);
  assert.equal(ms("30m"), 1_800_000);
  assert.equal(ms("2h"), 7_200_000);
  for (const bad of ["1.5h", "-1", "10d", "1h30m", "soon", "9999999999"]) {
    assert.throws(
      () => ms(bad),
      (e) => e instanceof UsageError && /--timeout must be a duration such as 90s/.test(e.message),
      bad,
    );
  }
});

Deno.test("a run past its deadline is stopped with RunTimeoutError, and its requests are aborted", async () => {
  const signals: AbortSignal[] = [];
  const { io } = recordingIo({
    fetch: (_input, init) => {
      signals.push(init!.signal!);
      return new Promise(() => {});
    },
  });
  const deadline = new RunDeadline(1, "--timeout=1ms");
  const wrapped = deadline.wrap(io);
  void wrapped.fetch("http://127.0.0.1:1/v2/", { signal: new AbortController().signal });
  await assert.rejects(
    deadline.race(new Promise(() => {})),
    (e) =>
      e instanceof RunTimeoutError &&
      e.message === "the run did not finish within --timeout=1ms and was stopped; running it " +
          "again goes on",
  );
  assert.equal(signals.length, 1);
  assert.ok(signals[0]!.aborted);
  assert.ok(signals[0]!.reason instanceof RunTimeoutError);
});

Deno.test("a run without --timeout keeps its fetch and result as they are", async () => {
  const { io } = recordingIo();
  const deadline = new RunDeadline(undefined, "--timeout=undefined");
  assert.equal(deadline.wrap(io), io);
  assert.equal(await deadline.race(Promise.resolve(7)), 7);
  deadline.clear();
});
