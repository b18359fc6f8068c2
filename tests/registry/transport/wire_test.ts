import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { RegistryError } from "../../../src/registry/errors.ts";
import { harness, slowBody } from "./harness.ts";

const URL_A = "https://reg.test/v2/a/blobs/sha256:1";

/** A fetch that never answers until aborted. */
function silent(_i: string | URL | Request, init?: RequestInit): Promise<Response> {
  return new Promise((_, reject) => {
    init?.signal?.addEventListener("abort", () => reject(init.signal!.reason));
  });
}

Deno.test("wire gives up on a request whose answer does not come within the timeout", async () => {
  const h = harness(silent, { timeoutMs: 1000, maxAttempts: 1 });
  const start = h.clock.now();
  await rejects(h.clock.drive(h.fetch(new Request(URL_A))), (e) => {
    ok(e instanceof RegistryError);
    equal(e.temporary, true);
    ok(/no progress for 1000 ms/.test(e.message), e.message);
    return true;
  });
  equal(h.clock.now() - start, 1000);
});

Deno.test("wire lets a slow response body through as long as every chunk comes in time", async () => {
  const h = harness(() => Promise.resolve(new Response(slowBody(h.clock, 5, 800))), {
    timeoutMs: 1000,
  });
  const res = await h.clock.drive(h.fetch(new Request(URL_A)));
  const bytes = await h.clock.drive(res.arrayBuffer());
  equal(bytes.byteLength, 500);
  equal(h.stats.snapshot().bytesDown, 500);
});

Deno.test("wire fails a response body that stalls with a temporary RegistryError", async () => {
  const h = harness(
    (_i, init) => {
      let sent = false;
      return Promise.resolve(
        new Response(
          new ReadableStream({
            pull(c) {
              if (!sent) {
                sent = true;
                return c.enqueue(new Uint8Array(10));
              }
              return new Promise((_, reject) =>
                init?.signal?.addEventListener("abort", () => reject(init.signal!.reason))
              );
            },
          }),
        ),
      );
    },
    { timeoutMs: 1000 },
  );
  const res = await h.clock.drive(h.fetch(new Request(URL_A)));
  await rejects(
    h.clock.drive(res.arrayBuffer()),
    (e) => e instanceof RegistryError && e.temporary && /no progress/.test(e.message),
  );
});

Deno.test("wire does not time out a body the caller has not started reading", async () => {
  const h = harness(() => Promise.resolve(new Response("late reader")), { timeoutMs: 1000 });
  const res = await h.clock.drive(h.fetch(new Request(URL_A)));
  await h.clock.advance(60_000);
  equal(await res.text(), "late reader");
});

Deno.test("wire lets a long stream upload through as long as it makes progress", async () => {
  let got = 0;
  const h = harness(async (input, init) => {
    const req = new Request(input, init);
    if (req.method === "GET") return new Response("{}");
    got = (await req.arrayBuffer()).byteLength;
    return new Response(null, { status: 202 });
  }, { timeoutMs: 1000 });
  const res = await h.clock.drive(
    h.fetch(new Request(URL_A, { method: "PATCH", body: slowBody(h.clock, 6, 900) })),
  );
  equal(res.status, 202);
  equal(got, 600);
  equal(h.stats.snapshot().bytesUp, 600);
});

Deno.test("wire counts requests by host and method and logs them without query secrets", async () => {
  const h = harness(() => Promise.resolve(new Response("abc")));
  await (await h.fetch(
    new Request("https://reg.test/v2/a/tags/list?n=1000&X-Goog-Signature=SECRET"),
  ))
    .text();
  await (await h.fetch(new Request("https://reg.test/v2/a/manifests/1", { method: "HEAD" }))).body
    ?.cancel();
  const snap = h.stats.snapshot();
  deepEqual(snap.hosts["reg.test"]!.requests, { GET: 1, HEAD: 1 });
  equal(snap.requests, 2);
  equal(snap.bytesDown, 3);
  const log = h.lines.join("");
  ok(
    log.includes("GET https://reg.test/v2/a/tags/list?n=1000&X-Goog-Signature=REDACTED -> 200"),
    log,
  );
  ok(log.includes("HEAD https://reg.test/v2/a/manifests/1 -> 200"), log);
  ok(!log.includes("SECRET"));
});

Deno.test("wire keeps the answering URL on the response", async () => {
  const h = harness(() => Promise.resolve(new Response("x")));
  const res = await h.fetch(new Request(URL_A));
  equal(res.url, URL_A);
  await res.text();
});

Deno.test("wire uses a request's own timeout from its hint", async () => {
  const h = harness(silent, { timeoutMs: 1000, maxAttempts: 1 });
  const start = h.clock.now();
  await rejects(
    h.clock.drive(h.fetch(new Request(URL_A, { method: "PUT" }), { timeoutMs: 300_000 })),
    (e) => e instanceof RegistryError && /no progress for 300000 ms/.test(e.message),
  );
  equal(h.clock.now() - start, 300_000);
});

Deno.test("wire hands back an answer declared empty without a body stream, releasing the source", async () => {
  let cancelled = false;
  let pulled = false;
  const h = harness(() =>
    Promise.resolve(
      new Response(
        new ReadableStream({
          pull: (c) => {
            pulled = true;
            c.close();
          },
          cancel: () => {
            cancelled = true;
          },
        }, { highWaterMark: 0 }),
        { status: 201, headers: { "content-length": "0", location: "/v2/a/blobs/x" } },
      ),
    )
  );
  const res = await h.fetch(new Request(URL_A, { method: "PUT", body: "x" }));
  equal(res.status, 201);
  equal(res.body, null);
  equal(res.headers.get("location"), "/v2/a/blobs/x");
  equal(await res.text(), "");
  ok(cancelled);
  ok(!pulled);
});
