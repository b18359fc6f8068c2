/**
 * The idle timeout against real sockets on 127.0.0.1: a server that accepts and never answers,
 * and one that stops in the middle of a body. Time is virtual; the sockets are real.
 */
import { equal, ok, rejects } from "node:assert/strict";
import { RegistryError } from "../../../src/registry/errors.ts";
import { harness } from "./harness.ts";

/** A TCP server that accepts connections and answers each with `reply` (nothing if empty). */
function server(reply: string) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      if (reply !== "") await conn.write(new TextEncoder().encode(reply)).catch(() => {});
    }
  })();
  return {
    url: `http://127.0.0.1:${listener.addr.port}`,
    accepted: () => conns.length,
    async close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // Already closed by the client.
        }
      }
      await accepting.catch(() => {});
    },
  };
}

function isTimeout(e: unknown): boolean {
  ok(e instanceof RegistryError, String(e));
  equal(e.temporary, true);
  ok(/no progress for 1000 ms/.test(e.message), e.message);
  return true;
}

Deno.test("a registry that accepts and never answers fails every attempt after the idle timeout", async () => {
  const s = server("");
  try {
    const h = harness(globalThis.fetch, { timeoutMs: 1000, maxAttempts: 2 });
    await rejects(h.clock.drive(h.fetch(new Request(`${s.url}/v2/a/tags/list`))), isTimeout);
    equal(h.stats.snapshot().retries, 1);
  } finally {
    await s.close();
  }
});

Deno.test("a body that stops half-way fails after the idle timeout instead of hanging", async () => {
  const s = server("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789");
  try {
    const h = harness(globalThis.fetch, { timeoutMs: 1000, maxAttempts: 1 });
    const res = await h.clock.drive(h.fetch(new Request(`${s.url}/v2/a/blobs/sha256:1`)));
    equal(res.status, 200);
    await rejects(h.clock.drive(res.arrayBuffer()), isTimeout);
  } finally {
    await s.close();
  }
});
