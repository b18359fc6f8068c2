/** Turning registry error answers into RegistryErrors: OCI codes read with a size cap. */
import { outsideText } from "../../safe_text.ts";
import { RegistryError } from "../errors.ts";
import { wasExhausted } from "./exhausted.ts";

/** The most bytes of an error body read. */
export const ERROR_BODY_CAP = 64 * 1024;

/** The OCI error entries of a registry's error body. */
export interface ErrorBody {
  codes: string[];
  /** The entries' messages, joined. */
  message: string;
}

/** Reads at most `cap` bytes of a body as text and cancels the rest. */
export async function readCapped(res: Response, cap = ERROR_BODY_CAP): Promise<string> {
  if (res.body === null) return "";
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < cap) {
      const { done, value } = await reader.read();
      if (done) return decode(parts);
      parts.push(value);
      size += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // A body that breaks off still tells what arrived.
  }
  return decode(parts).slice(0, cap);
}

function decode(parts: Uint8Array[]): string {
  const dec = new TextDecoder();
  return parts.map((p) => dec.decode(p, { stream: true })).join("") + dec.decode();
}

/** The longest OCI error code kept (real ones are short words such as `MANIFEST_UNKNOWN`). */
export const CODE_LIMIT = 64;

/**
 * Parses `{"errors":[{"code","message"}]}`; anything else gives no codes. Codes and messages
 * are the registry's text: made one line without control characters, and clipped.
 */
export function parseErrorBody(text: string): ErrorBody {
  try {
    const json = JSON.parse(text) as unknown;
    const errors = (json as { errors?: unknown })?.errors;
    if (!Array.isArray(errors)) return { codes: [], message: "" };
    const codes: string[] = [];
    const messages: string[] = [];
    for (const e of errors) {
      const code = (e as { code?: unknown })?.code;
      const message = (e as { message?: unknown })?.message;
      if (typeof code === "string") codes.push(outsideText(code, CODE_LIMIT));
      if (typeof message === "string" && message !== "") messages.push(message);
      if (codes.length >= 20) break;
    }
    return { codes, message: outsideText(messages.join("; ")) };
  } catch {
    return { codes: [], message: "" };
  }
}

/** Whether a status means trying again later may succeed (408, 429, 5xx). */
function isTemporaryStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * A RegistryError for an unsuccessful answer: `Cannot <action>: registry returned 404
 * MANIFEST_UNKNOWN (manifest unknown)`. Reads the body (capped) and so consumes it.
 */
export async function errorFromResponse(res: Response, action: string): Promise<RegistryError> {
  const body = parseErrorBody(await readCapped(res));
  const codes = body.codes.length > 0 ? ` ${body.codes.join(", ")}` : "";
  const detail = body.message !== "" ? ` (${body.message})` : "";
  const retryAfter = res.headers.get("retry-after");
  const wait = retryAfter !== null && isTemporaryStatus(res.status)
    ? `, Retry-After: ${outsideText(retryAfter)}`
    : "";
  const error = new RegistryError(
    `Cannot ${action}: registry returned ${res.status}${codes}${detail}${wait}`,
    {
      status: res.status,
      codes: body.codes,
      temporary: isTemporaryStatus(res.status),
      ...(retryAfter !== null ? { retryAfter } : {}),
    },
  );
  error.exhausted = wasExhausted(res);
  return error;
}
