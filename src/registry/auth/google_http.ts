/** Calls to Google's credential endpoints: JSON answers, a few retries, secret-free errors. */
import { outsideText } from "../../safe_text.ts";
import { readBytesCapped } from "../response.ts";

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
export async function answerText(res: Response): Promise<string> {
  const bytes = await readBytesCapped(res, ANSWER_LIMIT + 1);
  if (bytes.length > ANSWER_LIMIT) {
    throw new GoogleCallError(`the answer is larger than ${ANSWER_LIMIT} bytes`, res.status);
  }
  return new TextDecoder().decode(bytes);
}

/** What a call needs. */
export interface CallOptions {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  /** Attempts, the first included. */
  attempts?: number;
  /** Per-attempt time limit in ms. */
  timeoutMs?: number;
}

/**
 * Sends a request (rebuilt for each attempt) and returns its JSON answer (at most ANSWER_LIMIT
 * bytes, each attempt within its time limit). Network errors, 429 and 5xx are tried again
 * (1 s, then 2 s). Errors name the status and Google's `error` /
 * `error_description` / `error.message` fields, never request or response secrets.
 */
export async function callJson(
  url: string,
  init: () => RequestInit,
  o: CallOptions,
): Promise<Record<string, unknown>> {
  const attempts = o.attempts ?? 3;
  for (let attempt = 1;; attempt++) {
    let failure: GoogleCallError;
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), o.timeoutMs ?? 30_000);
    try {
      const res = await o.fetch(url, { ...init(), signal: ac.signal, redirect: "error" });
      const text = await answerText(res);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      if (res.ok && typeof json === "object" && json !== null) {
        return json as Record<string, unknown>;
      }
      failure = new GoogleCallError(
        res.ok ? "the answer is not a JSON object" : `${res.status}${describeError(json)}`,
        res.ok ? undefined : res.status,
      );
      if (res.ok) throw failure;
    } catch (e) {
      if (e instanceof GoogleCallError) throw e;
      failure = new GoogleCallError(
        ac.signal.aborted
          ? "no answer in time"
          : `not reachable (${e instanceof Error ? e.name : "error"})`,
      );
    } finally {
      clearTimeout(timer);
    }
    if (!failure.temporary || attempt >= attempts) throw failure;
    await o.sleep(1000 * 2 ** (attempt - 1));
  }
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
