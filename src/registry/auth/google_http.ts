/** Calls to Google's credential endpoints through the call transport: JSON, secret-free errors. */
import { outsideText } from "../../safe_text.ts";
import { RegistryError } from "../errors.ts";
import type { HttpFetch } from "../http/http_fetch.ts";
import { readBytesCapped } from "../http/response.ts";

/** A Google endpoint answered with an error, or could not be reached. */
export class GoogleCallError extends Error {
  /** HTTP status, undefined when there was no answer. */
  readonly status?: number;
  /** Whether trying again later may help. */
  readonly temporary: boolean;

  /** `message` never contains a secret. */
  constructor(message: string, status?: number) {
    super(message);
    this.name = "GoogleCallError";
    if (status !== undefined) this.status = status;
    this.temporary = status === undefined || status === 429 || status >= 500;
  }
}

/** The most bytes of an answer read (tokens and e-mail addresses are a few kilobytes). */
export const ANSWER_LIMIT = 1024 * 1024;

/** The text of an answer; throws GoogleCallError when it is larger than ANSWER_LIMIT. */
async function answerText(res: Response): Promise<string> {
  const bytes = await readBytesCapped(res, ANSWER_LIMIT + 1);
  if (bytes.length > ANSWER_LIMIT) {
    throw new GoogleCallError(`the answer is larger than ${ANSWER_LIMIT} bytes`, res.status);
  }
  return new TextDecoder().decode(bytes);
}

/**
 * What a call needs: the fetch of the run's call transport (createCallTransport), which
 * retries by the run's policy, limits and counts the calls, and times each attempt out.
 */
export interface CallOptions {
  fetch: HttpFetch;
  /** An attempt's idle timeout in ms instead of the transport's. */
  timeoutMs?: number;
}

/** A request of a call: method, headers and a text body (sent with its length). */
export interface CallRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * Sends a request through the call transport and returns the answer's text and status (at
 * most ANSWER_LIMIT bytes). `probe`: a single attempt, for a question whose failure is an
 * answer (is there a metadata server?). Throws GoogleCallError, never naming a secret.
 */
export async function call(
  url: string,
  r: CallRequest,
  o: CallOptions,
  probe = false,
): Promise<{ status: number; text: string }> {
  const headers = new Headers(r.headers);
  const body = r.body === undefined ? undefined : new TextEncoder().encode(r.body);
  if (body !== undefined) headers.set("content-length", String(body.length));
  let res: Response;
  try {
    res = await o.fetch(
      new Request(url, { method: r.method ?? "GET", headers, body, redirect: "manual" }),
      {
        read: ANSWER_LIMIT + 1,
        ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
        ...(probe ? { retry: "never" as const } : {}),
      },
    );
  } catch (e) {
    throw new GoogleCallError(
      e instanceof RegistryError && /no progress|deadline/.test(e.message)
        ? "no answer in time"
        : "not reachable",
    );
  }
  return { status: res.status, text: await answerText(res) };
}

/**
 * Sends a request and returns its JSON answer. The call transport retries network errors,
 * 429 and 5xx by the run's retry policy. Errors name the status and Google's `error` /
 * `error_description` / `error.message` fields, never request or response secrets.
 */
export async function callJson(
  url: string,
  r: CallRequest,
  o: CallOptions,
): Promise<Record<string, unknown>> {
  const { status, text } = await call(url, r, o);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const ok = status >= 200 && status < 300;
  if (ok && typeof json === "object" && json !== null) return json as Record<string, unknown>;
  throw new GoogleCallError(
    ok ? "the answer is not a JSON object" : `${status}${describeError(json)}`,
    ok ? undefined : status,
  );
}

/** ` invalid_grant: Invalid JWT Signature.` from Google's error shapes, or "". */
function describeError(json: unknown): string {
  if (typeof json !== "object" || json === null) return "";
  const j = json as Record<string, unknown>;
  if (typeof j.error === "string") {
    return ` ${outsideText(j.error, 100)}` +
      (typeof j.error_description === "string" ? `: ${outsideText(j.error_description, 200)}` : "");
  }
  const e = j.error as Record<string, unknown> | undefined;
  if (e && typeof e === "object") {
    const status = typeof e.status === "string" ? ` ${outsideText(e.status, 100)}` : "";
    const message = typeof e.message === "string" ? `: ${outsideText(e.message, 200)}` : "";
    return `${status}${message}`;
  }
  return "";
}
