import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { RegistryError } from "../../../src/registry/errors.ts";
import { harness, scripted, zeros } from "./harness.ts";

const URL_A = "https://reg.test/v2/a/manifests/1";

Deno.test("retry repeats 408, 500, 502, 503 and 504 and returns the success", async () => {
  const f = scripted([
    () => new Response("x", { status: 408 }),
    () => new Response("x", { status: 500 }),
    () => new Response("x", { status: 502 }),
    () => new Response("x", { status: 503 }),
    () => new Response("ok", { status: 200 }),
  ]);
  const h = harness(f, { maxAttempts: 6 });
  const res = await h.clock.drive(h.fetch(new Request(URL_A)));
  equal(await res.text(), "ok");
  equal(f.requests.length, 5);
  equal(h.stats.snapshot().retries, 4);
});

Deno.test("retry waits with exponential backoff and full jitter between attempts", async () => {
  const f = scripted([() => new Response("x", { status: 503 })]);
  const h = harness(f, { maxAttempts: 4, random: () => 0.5 });
  const start = h.clock.now();
  const times: number[] = [];
  const g = (i: string | URL | Request, init?: RequestInit) => {
    times.push(h.clock.now() - start);
    return f(i, init);
  };
  const h2 = harness(g, { maxAttempts: 4, random: () => 0.5, clock: h.clock });
  const res = await h.clock.drive(h2.fetch(new Request(URL_A)));
  equal(res.status, 503);
  await res.body?.cancel();
  deepEqual(times, [0, 250, 750, 1750]);
});

Deno.test("retry gives up after maxAttempts and returns the last answer", async () => {
  const f = scripted([() => new Response("x", { status: 500 })]);
  const h = harness(f, { maxAttempts: 3 });
  const res = await h.clock.drive(h.fetch(new Request(URL_A)));
  equal(res.status, 500);
  equal(await res.text(), "x");
  equal(f.requests.length, 3);
});

Deno.test("retry does not repeat 400, 401-less 403, 404 or 501", async () => {
  for (const status of [400, 403, 404, 501]) {
    const f = scripted([() => new Response("x", { status })]);
    const h = harness(f);
    const res = await h.clock.drive(h.fetch(new Request(URL_A)));
    equal(res.status, status);
    await res.body?.cancel();
    equal(f.requests.length, 1, `status ${status}`);
  }
});

Deno.test("retry honours Retry-After in seconds and as an HTTP date", async () => {
  for (const value of ["7", "DATE"]) {
    const times: number[] = [];
    const f = scripted([
      () =>
        new Response("x", {
          status: 503,
          headers: {
            "retry-after": value === "DATE" ? new Date(h.clock.now() + 7000).toUTCString() : value,
          },
        }),
      () => new Response("ok"),
    ]);
    const h = harness((i, init) => {
      times.push(h.clock.now());
      return f(i, init);
    });
    const res = await h.clock.drive(h.fetch(new Request(URL_A)));
    equal(await res.text(), "ok");
    equal(times[1]! - times[0]!, 7000, value);
  }
});

Deno.test("retry returns an answer whose Retry-After is beyond five minutes", async () => {
  const f = scripted([
    () => new Response("x", { status: 503, headers: { "retry-after": "3600" } }),
  ]);
  const h = harness(f);
  const res = await h.clock.drive(h.fetch(new Request(URL_A)));
  equal(res.status, 503);
  await res.body?.cancel();
  equal(f.requests.length, 1);
});

Deno.test("retry repeats network errors and finally throws a temporary RegistryError", async () => {
  const f = scripted([() => {
    throw new TypeError("error sending request for url (https://reg.test/x?sig=SECRET): reset");
  }]);
  const h = harness(f, { maxAttempts: 3 });
  await rejects(h.clock.drive(h.fetch(new Request(URL_A))), (e) => {
    ok(e instanceof RegistryError);
    equal(e.temporary, true);
    equal(e.status, undefined);
    ok(!e.message.includes("SECRET"), e.message);
    return true;
  });
  equal(f.requests.length, 3);
  equal(h.stats.snapshot().hosts["reg.test"]!.networkErrors, 3);
  ok(!h.lines.join("").includes("SECRET"));
});

Deno.test("retry never repeats a request with a stream body", async () => {
  const f = scripted([
    () => new Response("{}"),
    () => new Response("x", { status: 503 }),
    () => new Response("ok"),
  ]);
  const h = harness(f);
  const res = await h.clock.drive(
    h.fetch(
      new Request("https://reg.test/v2/a/blobs/uploads/1", { method: "PATCH", body: zeros(100) }),
    ),
  );
  equal(res.status, 503);
  await res.body?.cancel();
  // The ping to learn the challenge, then the PATCH once.
  deepEqual(f.requests.map((r) => r.method), ["GET", "PATCH"]);
});

Deno.test("retry throws a stream-body network failure at once instead of repeating it", async () => {
  let n = 0;
  const h = harness((input, init) => {
    n++;
    if (new Request(input, init).method === "GET") return Promise.resolve(new Response("{}"));
    return Promise.reject(new TypeError("connection reset"));
  });
  await rejects(
    h.clock.drive(
      h.fetch(
        new Request("https://reg.test/v2/a/blobs/uploads/1", { method: "PATCH", body: zeros(10) }),
      ),
    ),
    (e) => e instanceof RegistryError && e.temporary,
  );
  equal(n, 2);
});

Deno.test("retry resends a small body with a Content-Length (buffered, replayable)", async () => {
  const bodies: string[] = [];
  const f = scripted([
    async (r) => {
      bodies.push(await r.text());
      return new Response("x", { status: 502 });
    },
    async (r) => {
      bodies.push(await r.text());
      return new Response("ok", { status: 201 });
    },
  ]);
  const h = harness(f);
  const body = new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode('{"m":1}'));
      c.close();
    },
  });
  const res = await h.clock.drive(
    h.fetch(new Request(URL_A, { method: "PUT", body, headers: { "content-length": "7" } })),
  );
  equal(res.status, 201);
  await res.body?.cancel();
  deepEqual(bodies, ['{"m":1}', '{"m":1}']);
});

Deno.test("retry cancels the bodies of the answers it discards", async () => {
  let cancelled = 0;
  const body = () =>
    new ReadableStream({
      pull(c) {
        c.enqueue(new Uint8Array(10));
      },
      cancel() {
        cancelled++;
      },
    });
  const f = scripted([() => new Response(body(), { status: 500 }), () => new Response("ok")]);
  const h = harness(f);
  await (await h.clock.drive(h.fetch(new Request(URL_A)))).text();
  equal(cancelled, 1);
});

Deno.test("retry does not repeat a request the caller cancelled", async () => {
  let n = 0;
  const h = harness((_i, init) => {
    n++;
    return new Promise((_, reject) =>
      init?.signal?.addEventListener("abort", () => reject(init.signal!.reason))
    );
  });
  const ac = new AbortController();
  const p = h.fetch(new Request(URL_A, { signal: ac.signal }));
  await h.clock.settle();
  ac.abort(new DOMException("stop", "AbortError"));
  await rejects(p, (e) => e instanceof DOMException && e.name === "AbortError");
  equal(n, 1);
});
