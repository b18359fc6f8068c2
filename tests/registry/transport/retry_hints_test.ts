import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { RegistryError } from "../../../src/registry/errors.ts";
import {
  createCallTransport,
  errorFromResponse,
  HostLimiters,
  isExhausted,
  TransportStats,
} from "../../../src/registry/transport/mod.ts";
import { Logger } from "../../../src/log.ts";
import { FakeClock } from "../../fakes/clock.ts";
import { recordingPolicy } from "../../fakes/retry_policy.ts";
import { harness, scripted } from "./harness.ts";

const URL_A = "https://reg.test/v2/a/manifests/1";

/** A body that sends `first` and then breaks off. */
function breaking(first: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode(first));
      c.error(new TypeError("connection reset"));
    },
  });
}

Deno.test("retry: caller sends a request once, whatever the answer or error", async () => {
  for (
    const answer of [
      () => new Response("x", { status: 503 }),
      () => Promise.reject(new TypeError("reset")),
    ]
  ) {
    const f = scripted([answer as () => Response]);
    const h = harness(f);
    const sent = h.fetch(
      new Request(URL_A, { method: "PUT", body: "x", headers: { "content-length": "1" } }),
      {
        retry: "caller",
      },
    );
    const outcome = await h.clock.drive(sent).then((r) => r.status, (e) => e);
    equal(f.requests.length, 1);
    if (outcome instanceof RegistryError) equal(outcome.exhausted, false, "not retried at all");
    else equal(outcome, 503);
  }
});

Deno.test("retry: never (a probe) sends a request once", async () => {
  const f = scripted([() => Promise.reject(new TypeError("no such host"))]);
  const h = harness(f);
  await rejects(h.clock.drive(h.fetch(new Request(URL_A), { retry: "never" })));
  equal(f.requests.length, 1);
});

Deno.test("a request given up after its last attempt says so (exhausted), error or answer", async () => {
  const failing = scripted([() => Promise.reject(new TypeError("reset"))]);
  const h = harness(failing, { maxAttempts: 3 });
  const err = await h.clock.drive(h.fetch(new Request(URL_A))).catch((e) => e);
  ok(err instanceof RegistryError && isExhausted(err));
  equal(failing.requests.length, 3);

  const busy = scripted([() => new Response("{}", { status: 503 })]);
  const h2 = harness(busy, { maxAttempts: 2 });
  const res = await h2.clock.drive(h2.fetch(new Request(URL_A)));
  const e = await errorFromResponse(res, "read it");
  ok(e.exhausted && e.temporary);
  equal(busy.requests.length, 2);
});

Deno.test("read: an answer that breaks off is read again, and the whole body is handed back", async () => {
  const f = scripted([
    () => new Response(breaking('{"half'), { status: 200 }),
    () => new Response('{"whole":true}', { status: 200 }),
  ]);
  const h = harness(f);
  const res = await h.clock.drive(h.fetch(new Request(URL_A), { read: 1024 }));
  equal(await res.text(), '{"whole":true}');
  equal(f.requests.length, 2);
  equal(h.stats.snapshot().retries, 1);
});

Deno.test("read: at most the limit is read, so the caller can tell the answer is larger", async () => {
  const f = scripted([() => new Response("0123456789", { status: 200 })]);
  const h = harness(f);
  const res = await h.clock.drive(h.fetch(new Request(URL_A), { read: 4 }));
  equal(await res.text(), "0123");
});

Deno.test("a call transport retries by the run's policy, per host, and counts every call", async () => {
  const clock = new FakeClock();
  const stats = new TransportStats();
  const sleeps: number[] = [];
  const f = scripted([
    () => new Response("busy", { status: 503 }),
    () => new Response('{"access_token":"t"}', { status: 200 }),
  ]);
  const call = createCallTransport({
    limiters: new HostLimiters({ requestsPerSecond: () => 0, maxInFlight: 2, now: clock.now }),
    policy: recordingPolicy(sleeps),
    stats,
    log: new Logger("error", () => {}),
    fetch: f,
    now: clock.now,
    timer: clock.timer,
  });
  const res = await call(new Request("https://oauth2.test/token", { method: "POST" }));
  equal(res.status, 200);
  deepEqual(sleeps, [250]);
  equal(stats.snapshot().hosts["oauth2.test"]?.requests.POST, 2);
});
