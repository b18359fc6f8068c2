/** Listings are bounded: answer bytes, pages and entries, names checked. */
import assert from "node:assert/strict";
import { HttpBackend } from "../../../src/registry/http/backend.ts";
import { RegistryError } from "../../../src/registry/errors.ts";
import { plainHttpFetch } from "../../../src/registry/http/http_fetch.ts";
import type { ListingLimits } from "../../../src/registry/http/link.ts";

const LIMITS: ListingLimits = { bytes: 64 * 1024, pages: 30, entries: 5_000, repositories: 100 };

/** A backend on reg.test answering every request with `answer(url, n)` (n counts from 1). */
function registry(answer: (url: URL, n: number) => Response, limits = LIMITS) {
  let n = 0;
  const backend = new HttpBackend({
    host: "reg.test",
    listingLimits: limits,
    fetch: plainHttpFetch((input, init) => {
      const req = new Request(input, init);
      return Promise.resolve(answer(new URL(req.url), ++n));
    }),
  });
  return { backend, served: () => n };
}

/** An endless body of JSON-looking bytes; `pulled()` tells how many were read. */
function endlessBody() {
  let pulled = 0;
  const chunk = new TextEncoder().encode(`"${"x".repeat(4094)}",`);
  const body = new ReadableStream<Uint8Array>({
    start: (c) => c.enqueue(new TextEncoder().encode('{"tags":[')),
    pull(c) {
      pulled += chunk.length;
      c.enqueue(chunk);
    },
  });
  return { body, pulled: () => pulled };
}

Deno.test("listTags() refuses an endless answer once it passes the byte cap, reading no further", async () => {
  const endless = endlessBody();
  const { backend } = registry(() => new Response(endless.body));
  await assert.rejects(
    backend.listTags("a"),
    (e) =>
      e instanceof RegistryError &&
      e.message ===
        "Cannot list the tags of reg.test/a: the answer is larger than 65536 bytes (cip reads " +
          "at most that much of a listing)",
  );
  assert.ok(endless.pulled() <= LIMITS.bytes + 2 * 4096, String(endless.pulled()));
});

Deno.test("listRepositories() refuses an endless catalog answer once it passes the byte cap", async () => {
  const endless = endlessBody();
  const { backend } = registry(() => new Response(endless.body));
  await assert.rejects(
    backend.listRepositories(""),
    /^RegistryError: Cannot list the repositories of reg\.test: the answer is larger than 65536 bytes/,
  );
  assert.ok(endless.pulled() <= LIMITS.bytes + 2 * 4096);
});

/** Pages that each bring `perPage` new names and link to the next one, forever. */
function freshPages(field: "tags" | "repositories", perPage: number) {
  return (url: URL, n: number) =>
    Response.json(
      { [field]: Array.from({ length: perPage }, (_, i) => `n${n}-${i}`) },
      { headers: { Link: `<${url.pathname}?n=1000&last=${n}>; rel="next"` } },
    );
}

Deno.test("a Link chain that brings new names on every page stops at the page cap", async () => {
  const tags = registry(freshPages("tags", 1));
  await assert.rejects(
    tags.backend.listTags("a"),
    /^RegistryError: Cannot follow pagination of reg\.test: the listing goes on for more than 30 pages/,
  );
  assert.equal(tags.served(), 30);
  const repos = registry(freshPages("repositories", 1));
  await assert.rejects(repos.backend.listRepositories(""), /more than 30 pages/);
  assert.equal(repos.served(), 30);
});

Deno.test("a Link chain of big pages stops at the entry cap", async () => {
  const { backend, served } = registry(freshPages("tags", 1000));
  await assert.rejects(
    backend.listTags("a"),
    /^RegistryError: Cannot follow pagination of reg\.test: the listing holds more than 5000 entries/,
  );
  assert.equal(served(), 6);
});

Deno.test("listRepositories() refuses a catalog naming something that is not a repository", async () => {
  for (const name of ["UPPER", "a//b", "x\x1b[2J", "../etc"]) {
    const { backend } = registry(() => Response.json({ repositories: ["ok", name] }));
    await assert.rejects(
      backend.listRepositories(""),
      (e) =>
        e instanceof RegistryError && /which is not a repository name$/.test(e.message) &&
        !e.message.includes("\x1b"),
      name,
    );
  }
});

Deno.test("an extension walk whose children never end stops at the entry cap", async () => {
  const { backend, served } = registry(
    () => Response.json({ tags: [], manifest: {}, child: ["a", "b"] }),
    LIMITS,
  );
  await assert.rejects(
    backend.listRepositories("top"),
    /^RegistryError: Cannot list the repositories of reg\.test: there are more than 100 repositories below top/,
  );
  assert.ok(served() <= 101, String(served()));
});
