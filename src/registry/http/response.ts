/** Checking registry responses: one status helper, capped error bodies, OCI error codes. */
import { RegistryError } from "../errors.ts";
import { errorFromResponse } from "../transport/mod.ts";

/** Builds the RegistryError for an unexpected response, reading its body with a cap. */
export { errorFromResponse };

/** Reads at most `limit` bytes of a body, then cancels the rest. */
export async function readBytesCapped(res: Response, limit: number): Promise<Uint8Array> {
  if (res.body === null) return new Uint8Array();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const out = new Uint8Array(Math.min(size, limit));
  let at = 0;
  for (const c of chunks) {
    const part = c.subarray(0, out.length - at);
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Reads a JSON answer of at most `limit` bytes (a listing). Throws RegistryError naming what
 * could not be done when it is larger, is not JSON, or breaks off.
 */
export async function readJsonCapped(res: Response, what: string, limit: number): Promise<unknown> {
  let bytes: Uint8Array;
  try {
    bytes = await readBytesCapped(res, limit + 1);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new RegistryError(`Cannot ${what}: ${reason}`, {
      temporary: e instanceof RegistryError ? e.temporary : true,
      cause: e,
    });
  }
  if (bytes.length > limit) {
    throw new RegistryError(
      `Cannot ${what}: the answer is larger than ${sizeText(limit)} (cip reads at most that much ` +
        "of a listing)",
    );
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new RegistryError(`Cannot ${what}: the answer is not valid JSON`, { cause: e });
  }
}

/** `32 MiB`, or bytes when not a whole number of MiB. */
function sizeText(n: number): string {
  return n % 1048576 === 0 ? `${n / 1048576} MiB` : `${n} bytes`;
}

/**
 * Returns when the status is one of `ok` (leaving the body to the caller); otherwise reads
 * the error body with a cap and throws a RegistryError saying what could not be done.
 */
export async function expectStatus(res: Response, ok: readonly number[], what: string) {
  if (ok.includes(res.status)) return;
  throw await errorFromResponse(res, what);
}

/** Discards a body the caller does not read. */
export async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => {});
}

/** Sends a request, turning network failures into temporary RegistryErrors. */
export async function send(
  doFetch: () => Promise<Response>,
  what: string,
): Promise<Response> {
  try {
    return await doFetch();
  } catch (e) {
    if (e instanceof RegistryError) throw e;
    const reason = e instanceof Error ? e.message : String(e);
    throw new RegistryError(`Cannot ${what}: ${reason}`, { temporary: true, cause: e });
  }
}
