/** Checking registry responses: one status helper, capped error bodies, OCI error codes. */
import { RegistryError } from "./errors.ts";

/** How much of an error body is read. */
export const ERROR_BODY_LIMIT = 64 * 1024;

/** Statuses after which trying again later may succeed. */
const TEMPORARY = new Set([408, 429, 500, 502, 503, 504]);

/** Reads at most `limit` bytes of a body, then cancels the rest. */
export async function readCapped(res: Response, limit: number): Promise<Uint8Array> {
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

/** The OCI error codes and first message of an error body (empty when it has none). */
export function parseErrorBody(text: string): { codes: string[]; message?: string } {
  try {
    const body = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] };
    if (!Array.isArray(body.errors)) return { codes: [] };
    const codes = body.errors.map((e) => e?.code).filter((c): c is string => typeof c === "string");
    const first = body.errors.find((e) => typeof e?.message === "string")?.message as
      | string
      | undefined;
    return first === undefined ? { codes } : { codes, message: first };
  } catch {
    return { codes: [] };
  }
}

/** Builds the RegistryError for an unexpected response, reading its body with a cap. */
export async function responseError(res: Response, what: string): Promise<RegistryError> {
  let text = "";
  try {
    text = new TextDecoder().decode(await readCapped(res, ERROR_BODY_LIMIT));
  } catch {
    // the body broke off; the status is still worth reporting
  }
  const { codes, message } = parseErrorBody(text);
  const detail = message === undefined ? "" : `: ${message.slice(0, 300)}`;
  const codeText = codes.length === 0 ? "" : ` ${codes.join(", ")}`;
  return new RegistryError(`Cannot ${what}: registry returned ${res.status}${codeText}${detail}`, {
    status: res.status,
    codes,
    temporary: TEMPORARY.has(res.status),
  });
}

/**
 * Returns when the status is one of `ok` (leaving the body to the caller); otherwise reads
 * the error body with a cap and throws a RegistryError saying what could not be done.
 */
export async function expectStatus(res: Response, ok: readonly number[], what: string) {
  if (ok.includes(res.status)) return;
  throw await responseError(res, what);
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
