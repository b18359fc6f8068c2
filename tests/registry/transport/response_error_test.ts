import { deepEqual, equal, ok } from "node:assert/strict";
import {
  errorFromResponse,
  parseErrorBody,
  readCapped,
} from "../../../src/registry/transport/response_error.ts";

Deno.test("parseErrorBody() reads OCI error codes and messages", () => {
  deepEqual(
    parseErrorBody(
      '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"},{"code":"DENIED"}]}',
    ),
    { codes: ["MANIFEST_UNKNOWN", "DENIED"], message: "manifest unknown" },
  );
  deepEqual(parseErrorBody("<html>oops</html>"), { codes: [], message: "" });
  deepEqual(parseErrorBody('{"errors":"no"}'), { codes: [], message: "" });
});

Deno.test("readCapped() reads at most the cap and cancels the rest", async () => {
  let cancelled = false;
  let served = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      served++;
      c.enqueue(new TextEncoder().encode("x".repeat(1000)));
    },
    cancel() {
      cancelled = true;
    },
  });
  const text = await readCapped(new Response(body), 2500);
  equal(text.length, 2500);
  ok(cancelled);
  ok(served <= 4);
});

Deno.test("errorFromResponse() says what failed, with status, codes and temporariness", async () => {
  const e = await errorFromResponse(
    Response.json({ errors: [{ code: "TOOMANYREQUESTS", message: "Quota exceeded" }] }, {
      status: 429,
    }),
    'read "gcr.io/p/a"',
  );
  equal(
    e.message,
    'Cannot read "gcr.io/p/a": registry returned 429 TOOMANYREQUESTS (Quota exceeded)',
  );
  equal(e.status, 429);
  deepEqual(e.codes, ["TOOMANYREQUESTS"]);
  equal(e.temporary, true);
  const nf = await errorFromResponse(new Response("", { status: 404 }), "x");
  equal(nf.temporary, false);
  equal(nf.message, "Cannot x: registry returned 404");
});

Deno.test("errorFromResponse() names the Retry-After of a 429 or 5xx it was not waited for", async () => {
  const e = await errorFromResponse(
    new Response("slow down", { status: 429, headers: { "retry-after": "3600" } }),
    "list the tags of h/a",
  );
  equal(e.message, "Cannot list the tags of h/a: registry returned 429, Retry-After: 3600");
  const nf = await errorFromResponse(
    new Response("", { status: 404, headers: { "retry-after": "5" } }),
    "x",
  );
  equal(nf.message, "Cannot x: registry returned 404");
});
