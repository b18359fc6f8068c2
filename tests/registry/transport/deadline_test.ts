/** Every attempt has a deadline besides its idle timeout; stalled requests are tried twice. */
import { equal, ok, rejects } from "node:assert/strict";
import { RegistryError } from "../../../src/registry/errors.ts";
import { attemptDeadlineMs, StalledError } from "../../../src/registry/transport/mod.ts";
import type { FakeClock } from "../../fakes/clock.ts";
import { harness, slowBody } from "./harness.ts";

const URL_A = "https://reg.test/v2/a/blobs/sha256:1";

/** A body that yields one byte every `gapMs` of virtual time, forever (or `n` times). */
function trickle(clock: FakeClock, gapMs: number, n = Infinity): ReadableStream<Uint8Array> {
  return slowBody(clock, n, gapMs, 1);
}

/** A fetch that never answers until aborted, counting its calls. */
function silent() {
  let calls = 0;
  const f = (_i: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls++;
    return new Promise((_, reject) => {
      init?.signal?.addEventListener("abort", () => reject(init.signal!.reason));
    });
  };
  return { fetch: f as typeof fetch, calls: () => calls };
}

Deno.test("attemptDeadlineMs() is two minutes or twice the idle timeout, plus a second per 256 KiB", () => {
  equal(attemptDeadlineMs(120_000, 60_000, 0), 120_000);
  equal(attemptDeadlineMs(120_000, 300_000, 0), 600_000);
  equal(attemptDeadlineMs(120_000, 60_000, 256 * 1024 * 100), 220_000);
  equal(attemptDeadlineMs(120_000, 60_000, 1), 121_000);
  equal(attemptDeadlineMs(120_000, 60_000, -1), 120_000);
});

Deno.test("a response that trickles a byte within every idle timeout fails at the deadline, once", async () => {
  let calls = 0;
  const h = harness(() => {
    calls++;
    return Promise.resolve(new Response(trickle(h.clock, 50_000)));
  });
  const start = h.clock.now();
  const res = await h.clock.drive(h.fetch(new Request(URL_A)));
  await rejects(h.clock.drive(res.arrayBuffer()), (e) => {
    ok(e instanceof RegistryError && !(e instanceof StalledError), String(e));
    equal(e.temporary, false, "not tried again");
    ok(
      /Cannot read the answer to GET .*: no complete answer within its deadline of 120 s/.test(
        e.message,
      ),
      e.message,
    );
    return true;
  });
  equal(h.clock.now() - start, 120_000);
  equal(calls, 1);
});

Deno.test("a request whose headers trickle in never (no answer) is tried twice, not five times", async () => {
  const s = silent();
  const h = harness(s.fetch);
  const start = h.clock.now();
  await rejects(h.clock.drive(h.fetch(new Request(URL_A))), (e) => {
    ok(e instanceof StalledError && e.temporary, String(e));
    ok(/no progress for 60000 ms/.test((e as Error).message));
    return true;
  });
  equal(s.calls(), 2);
  ok(h.clock.now() - start < 5 * 60_000);
});

Deno.test("a blob's expected size extends its deadline", async () => {
  const h = harness(() => Promise.resolve(new Response(trickle(h.clock, 50_000, 4))));
  const res = await h.clock.drive(
    h.fetch(new Request(URL_A), { size: 256 * 1024 * 100 }), // 220 s
  );
  const bytes = await h.clock.drive(res.arrayBuffer());
  equal(bytes.byteLength, 4); // 200 s of trickling
});

Deno.test("the deadline does not run while the caller is not reading", async () => {
  const h = harness(() => Promise.resolve(new Response(trickle(h.clock, 50_000, 2))));
  const res = await h.clock.drive(h.fetch(new Request(URL_A)));
  await h.clock.advance(600_000);
  const bytes = await h.clock.drive(res.arrayBuffer());
  equal(bytes.byteLength, 2);
});

Deno.test("an upload whose body trickles fails at its deadline", async () => {
  const h = harness(async (input, init) => {
    await new Request(input, init).arrayBuffer();
    return new Response(null, { status: 202 });
  });
  const start = h.clock.now();
  await rejects(
    h.clock.drive(
      h.fetch(
        new Request("https://reg.test/v2/a/blobs/uploads/u", {
          method: "PATCH",
          body: trickle(h.clock, 50_000),
        }),
        { size: 10 },
      ),
    ),
    (e) =>
      e instanceof RegistryError && !e.temporary &&
      /PATCH .*: no complete answer within its deadline of 121 s/.test(e.message),
  );
  equal(h.clock.now() - start, 121_000);
});
