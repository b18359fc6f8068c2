/**
 * One POST to a Sigstore service (Fulcio, Rekor, timestamp authority) through the injected
 * fetch: the status checked, error bodies read with a cap and stripped of any secret the request
 * carried, failures as ServiceError.
 */
import { scrub, ServiceError } from "./errors.ts";

/** A call to make. */
export interface ServiceCall {
  /** `Fulcio`, `Rekor` or `timestamp authority`. */
  service: string;
  /** What is asked, e.g. `a signing certificate`. */
  what: string;
  /** The full endpoint URL. */
  url: string;
  /** The JSON request body. */
  body: unknown;
  /** The fetch to use. */
  fetch: typeof fetch;
  /** Values that must never appear in an error (the identity token). */
  secrets?: readonly string[];
}

const ERROR_BODY_LIMIT = 2048;

async function errorText(response: Response, secrets: readonly string[]): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < ERROR_BODY_LIMIT) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) bytes.set(c, (at += c.length) - c.length);
  const text = new TextDecoder().decode(bytes.subarray(0, ERROR_BODY_LIMIT)).trim();
  let message = text;
  try {
    const json = JSON.parse(text) as { message?: unknown };
    if (typeof json.message === "string") message = json.message;
  } catch {
    // not JSON: keep the text
  }
  const oneLine = scrub(message, secrets).replace(/\s+/g, " ").slice(0, 300);
  return oneLine === "" ? "" : `: ${oneLine}`;
}

/** POSTs `call.body` as JSON; the response when 2xx, else ServiceError. */
export async function postJson(call: ServiceCall): Promise<Response> {
  const secrets = call.secrets ?? [];
  let response: Response;
  try {
    response = await call.fetch(call.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(call.body),
    });
  } catch (e) {
    const reason = scrub(e instanceof Error ? e.message : String(e), secrets);
    throw new ServiceError(call.service, call.what, `${call.url} cannot be reached (${reason})`, {
      temporary: true,
    });
  }
  if (response.ok) return response;
  const detail = await errorText(response, secrets);
  throw new ServiceError(
    call.service,
    call.what,
    `${call.url} answered ${response.status}${detail}`,
    {
      status: response.status,
      temporary: response.status === 408 || response.status === 429 || response.status >= 500,
    },
  );
}

/** The response body as JSON, or ServiceError when it is not. */
export async function responseJson(response: Response, call: ServiceCall): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    throw new ServiceError(call.service, call.what, `${call.url} answered with something not JSON`);
  }
}

/** `base` without trailing slashes, plus `path`. */
export function endpoint(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}
