import assert from "node:assert/strict";
import { RegistryError } from "../../../src/registry/errors.ts";
import { checkedNextLink, nextLink, Pagination } from "../../../src/registry/http/link.ts";

const base = new URL("https://reg.test/v2/_catalog?n=2");

Deno.test("nextLink() resolves relative and absolute next links", () => {
  assert.equal(
    nextLink('</v2/_catalog?last=b&n=2>; rel="next"', base)?.href,
    "https://reg.test/v2/_catalog?last=b&n=2",
  );
  assert.equal(
    nextLink("<https://reg.test/v2/x?n=2&last=a>; rel=next", base)?.href,
    "https://reg.test/v2/x?n=2&last=a",
  );
});

Deno.test("nextLink() picks rel=next among several links and ignores others", () => {
  const header = '</p?a=1,2>; rel="prev", </n?last=c>; title="x, y"; rel="next"';
  assert.equal(nextLink(header, base)?.href, "https://reg.test/n?last=c");
  assert.equal(nextLink('</p>; rel="prev"', base), undefined);
  assert.equal(nextLink(null, base), undefined);
});

Deno.test("checkedNextLink() refuses a next page on another host or scheme", () => {
  assert.throws(
    () => checkedNextLink('<https://evil.test/v2/_catalog?n=2>; rel="next"', base, new Set()),
    RegistryError,
  );
  assert.throws(
    () => checkedNextLink('<http://reg.test/v2/_catalog?n=2>; rel="next"', base, new Set()),
    RegistryError,
  );
});

Deno.test("checkedNextLink() refuses a page it has already read", () => {
  const seen = new Set<string>();
  const header = '</v2/_catalog?last=b>; rel="next"';
  assert.ok(checkedNextLink(header, base, seen));
  assert.throws(() => checkedNextLink(header, base, seen), /loop/);
});

Deno.test("Pagination follows pages while they bring new entries, and stops after 10 idle ones", () => {
  const p = new Pagination(base);
  let url = base;
  for (let i = 0; i < 50; i++) {
    url = p.next(`</v2/_catalog?last=${i}>; rel="next"`, url, i + 1)!;
  }
  for (let i = 0; i < 9; i++) {
    url = p.next(`</v2/_catalog?last=idle${i}>; rel="next"`, url, 50)!;
  }
  assert.throws(
    () => p.next('</v2/_catalog?last=idle9>; rel="next"', url, 50),
    (e) => e instanceof RegistryError && /10 pages in a row brought no new entry/.test(e.message),
  );
  assert.equal(new Pagination(base).next(null, base, 0), undefined);
});

Deno.test("Pagination stops a listing that keeps bringing new names at the page cap", () => {
  const p = new Pagination(base, { bytes: 1024, pages: 20, entries: 1_000, repositories: 10 });
  let url = base;
  for (let i = 1; i < 20; i++) url = p.next(`</v2/_catalog?last=${i}>; rel="next"`, url, i)!;
  assert.throws(
    () => p.next('</v2/_catalog?last=20>; rel="next"', url, 20),
    (e) =>
      e instanceof RegistryError &&
      /^Cannot follow pagination of reg\.test: the listing goes on for more than 20 pages/.test(
        e.message,
      ),
  );
});

Deno.test("Pagination stops a listing that holds more entries than the cap, even on its last page", () => {
  const p = new Pagination(base, { bytes: 1024, pages: 20, entries: 100, repositories: 10 });
  assert.ok(p.next(`</v2/_catalog?last=a>; rel="next"`, base, 100));
  assert.throws(
    () => p.next(null, base, 101),
    (e) => e instanceof RegistryError && /holds more than 100 entries/.test(e.message),
  );
});
