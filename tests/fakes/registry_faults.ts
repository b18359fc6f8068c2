/** Injectable faults of the fake registry: 429s, 5xx, connection resets, 202 on mount. */

/** What a fault does to a matching request. */
export type FaultAction =
  /** Answer with this status (and optional `Retry-After` header and OCI error code). */
  | { status: number; retryAfter?: string; code?: string }
  /** Fail the request as a network error (fetch rejects with TypeError). */
  | { reset: true }
  /** Answer a mount request with 202 (an upload session) instead of mounting. */
  | { mount202: true };

/** A fault rule: which requests it matches and how often it fires. */
export interface FaultRule {
  /** HTTP method to match; any when absent. */
  method?: string;
  /** Path to match: a string matches the pathname exactly, a RegExp is tested against it. */
  path?: string | RegExp;
  /** How many matching requests it applies to; unlimited when absent. */
  times?: number;
  action: FaultAction;
}

/** A registered fault; `hits` counts the requests it changed. */
export interface Fault extends FaultRule {
  hits: number;
}

/** The fault rules of one fake registry, matched in the order they were added. */
export class Faults {
  #rules: Fault[] = [];

  /** Adds a rule and returns it, to read `hits` later. */
  add(rule: FaultRule): Fault {
    const fault: Fault = { ...rule, hits: 0 };
    this.#rules.push(fault);
    return fault;
  }

  /** Removes all rules. */
  clear(): void {
    this.#rules = [];
  }

  /**
   * Finds the first live rule matching the request whose action is of the wanted kind
   * ("response" = status or reset, "mount" = mount202), counts a hit and returns its action.
   */
  take(method: string, path: string, kind: "response" | "mount"): FaultAction | undefined {
    for (const f of this.#rules) {
      if (f.times !== undefined && f.hits >= f.times) continue;
      if (f.method !== undefined && f.method.toUpperCase() !== method) continue;
      if (typeof f.path === "string" && f.path !== path) continue;
      if (f.path instanceof RegExp && !f.path.test(path)) continue;
      const isMount = "mount202" in f.action;
      if (isMount !== (kind === "mount")) continue;
      f.hits++;
      return f.action;
    }
    return undefined;
  }
}

/** One request the fake saw. */
export interface LoggedRequest {
  method: string;
  /** Host the request went to. */
  host: string;
  /** URL path (without query). */
  path: string;
  url: string;
  headers: Headers;
}

/** Counts logged requests by method and path (string = exact path, RegExp = tested). */
export function countRequests(
  log: LoggedRequest[],
  filter: { method?: string; path?: string | RegExp; host?: string } = {},
): number {
  return log.filter((r) =>
    (filter.method === undefined || r.method === filter.method.toUpperCase()) &&
    (filter.host === undefined || r.host === filter.host) &&
    (filter.path === undefined ||
      (typeof filter.path === "string" ? r.path === filter.path : filter.path.test(r.path)))
  ).length;
}

/** An OCI error response. */
export function ociError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ errors: [{ code, message, detail: null }] }), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

/** The response a status fault produces. */
export function faultResponse(action: { status: number; retryAfter?: string; code?: string }) {
  const headers: Record<string, string> = {};
  if (action.retryAfter !== undefined) headers["Retry-After"] = action.retryAfter;
  const code = action.code ??
    (action.status === 429 ? "TOOMANYREQUESTS" : action.status >= 500 ? "UNKNOWN" : "DENIED");
  return ociError(action.status, code, `injected fault: HTTP ${action.status}`, headers);
}
