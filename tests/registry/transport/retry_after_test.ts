import { equal } from "node:assert/strict";
import { backoffDelay, parseRetryAfter } from "../../../src/registry/transport/retry_after.ts";

const NOW = Date.parse("2026-01-01T00:00:00Z");

const cases: [string, string | null, number | undefined][] = [
  ["absent", null, undefined],
  ["delta seconds", "120", 120_000],
  ["zero seconds", "0", 0],
  ["seconds with spaces", " 7 ", 7_000],
  ["an HTTP date in the future", "Thu, 01 Jan 2026 00:00:30 GMT", 30_000],
  ["an HTTP date in the past", "Wed, 31 Dec 2025 23:00:00 GMT", 0],
  ["negative seconds", "-5", undefined],
  ["fractional seconds", "1.5", undefined],
  ["garbage", "soon", undefined],
];

for (const [name, value, want] of cases) {
  Deno.test(`parseRetryAfter() reads ${name}`, () => {
    equal(parseRetryAfter(value, NOW), want);
  });
}

Deno.test("backoffDelay() doubles its ceiling per attempt up to the maximum", () => {
  const top = () => 0.999999;
  equal(backoffDelay(1, top), 499);
  equal(backoffDelay(2, top), 999);
  equal(backoffDelay(3, top), 1999);
  equal(backoffDelay(20, top), 29_999);
});

Deno.test("backoffDelay() draws uniformly below the ceiling (full jitter)", () => {
  equal(backoffDelay(3, () => 0), 0);
  equal(backoffDelay(3, () => 0.5), 1000);
});
