import { deepEqual, equal } from "node:assert/strict";
import { isGoogleHost } from "../../../src/registry/reference.ts";
import {
  defaultRequestsPerSecond,
  HostLimiter,
  HostLimiters,
} from "../../../src/registry/transport/host_limiter.ts";
import { FakeClock } from "../../fakes/clock.ts";
import { harness } from "./harness.ts";

/** A limiter of host "h" at this rate and in-flight limit, on a fake clock. */
function limiter(requestsPerSecond: number, maxInFlight: number) {
  const clock = new FakeClock();
  const l = new HostLimiter("h", {
    requestsPerSecond,
    maxInFlight,
    now: clock.now,
    sleep: clock.sleep,
  });
  return { clock, l };
}

/** Starts `n` acquires at once and records when each got through, relative to the start. */
async function admitted(l: HostLimiter, clock: FakeClock, n: number, bulk = false) {
  const start = clock.now();
  const times: number[] = [];
  const all = Array.from({ length: n }, () =>
    l.acquire({ bulk }).then((release) => {
      times.push(clock.now() - start);
      release();
    }));
  await clock.drive(Promise.all(all));
  return times;
}

Deno.test("HostLimiter lets a burst of one second's worth through, then paces at the rate", async () => {
  const { clock, l } = limiter(4, 100);
  deepEqual(await admitted(l, clock, 8), [0, 0, 0, 0, 250, 500, 750, 1000]);
});

Deno.test("HostLimiter with rate 0 never waits", async () => {
  const { clock, l } = limiter(0, 100);
  deepEqual(await admitted(l, clock, 5), [0, 0, 0, 0, 0]);
});

Deno.test("HostLimiter caps requests in flight and serves waiters in order", async () => {
  const { clock, l } = limiter(0, 2);
  const order: number[] = [];
  const releases: (() => void)[] = [];
  const waits = [0, 1, 2, 3].map((i) =>
    l.acquire().then((r) => {
      order.push(i);
      releases.push(r);
    })
  );
  await clock.settle();
  deepEqual(order, [0, 1]);
  equal(l.inFlight, 2);
  releases[0]!();
  await clock.settle();
  deepEqual(order, [0, 1, 2]);
  equal(l.inFlight, 2);
  releases[1]!();
  releases[2]!();
  await Promise.all(waits);
  releases[3]!();
  equal(l.inFlight, 0);
});

Deno.test("HostLimiter keeps a quarter of the permits free of stream uploads", async () => {
  const { clock, l } = limiter(0, 8);
  let bulk = 0;
  for (let i = 0; i < 8; i++) l.acquire({ bulk: true }).then(() => bulk++);
  await clock.settle();
  equal(bulk, 6);
  let small = 0;
  for (let i = 0; i < 2; i++) l.acquire().then(() => small++);
  await clock.settle();
  equal(small, 2);
});

Deno.test("HostLimiter.throttle() pauses every request to the host, doubling per 429 in a row", async () => {
  const { clock, l } = limiter(0, 10);
  l.throttle();
  deepEqual(await admitted(l, clock, 2), [1000, 1000]);
  l.throttle();
  deepEqual(await admitted(l, clock, 1), [2000]);
  l.succeeded();
  l.throttle(5000);
  deepEqual(await admitted(l, clock, 1), [5000]);
  l.throttle();
  deepEqual(await admitted(l, clock, 1), [2000]);
  l.succeeded();
  l.throttle();
  deepEqual(await admitted(l, clock, 1), [1000]);
});

Deno.test("HostLimiter.throttle() does not pause a host whose Retry-After is beyond 5 minutes", async () => {
  const { clock, l } = limiter(0, 10);
  l.throttle(3_600_000);
  deepEqual(await admitted(l, clock, 2), [0, 0]);
  l.throttle(300_000);
  deepEqual(await admitted(l, clock, 1), [300_000]);
});

Deno.test("HostLimiter resumes at the steady rate after a pause, without a burst", async () => {
  const { clock, l } = limiter(10, 100);
  l.throttle(2000);
  deepEqual(await admitted(l, clock, 3), [2000, 2100, 2200]);
});

Deno.test("a 429 on one request slows every other request to the host", async () => {
  let first = true;
  const sent: [string, number][] = [];
  const handler = (input: string | URL | Request) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    sent.push([url.pathname, h.clock.now()]);
    if (first && url.pathname === "/v2/a/manifests/1") {
      first = false;
      return Promise.resolve(
        new Response("quota", { status: 429, headers: { "retry-after": "3" } }),
      );
    }
    return Promise.resolve(new Response("ok"));
  };
  const h = harness(handler);
  const t0 = h.clock.now();
  const a = await h.clock.drive(h.fetch(new Request("https://reg.test/v2/a/manifests/1")));
  await a.text();
  const b = await h.clock.drive(h.fetch(new Request("https://reg.test/v2/b/manifests/1")));
  await b.text();
  deepEqual(sent.map(([p, t]) => [p, t - t0]), [
    ["/v2/a/manifests/1", 0],
    ["/v2/a/manifests/1", 3000],
    ["/v2/b/manifests/1", 3000],
  ]);
  equal(h.stats.snapshot().status429, 1);
});

Deno.test("HostLimiters gives one shared limiter per host", () => {
  const ls = new HostLimiters({ requestsPerSecond: () => 0, maxInFlight: 1 });
  equal(ls.for("gcr.io"), ls.for("GCR.io"));
  equal(ls.for("gcr.io") === ls.for("us.gcr.io"), false);
});

Deno.test("defaultRequestsPerSecond() limits Google hosts to 50 and leaves others unlimited", () => {
  for (const h of ["gcr.io", "us.gcr.io", "europe-west1-docker.pkg.dev", "us-docker.pkg.dev"]) {
    equal(isGoogleHost(h), true, h);
    equal(defaultRequestsPerSecond(h), 50);
  }
  for (const h of ["docker.io", "127.0.0.1:5000", "notgcr.io", "docker.pkg.dev.example.com"]) {
    equal(isGoogleHost(h), false, h);
    equal(defaultRequestsPerSecond(h), 0);
  }
  equal(defaultRequestsPerSecond("gcr.io", 0), 0);
  equal(defaultRequestsPerSecond("docker.io", 5), 5);
});
