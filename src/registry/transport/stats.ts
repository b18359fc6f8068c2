/** Accounting of registry traffic: requests by host and method, bytes, retries, 429s. */

/** What is counted for one host. */
export interface HostCounts {
  /** Requests sent (each redirect hop and token request counts), by method. */
  requests: Record<string, number>;
  /** Requests that failed without an HTTP answer (resets, refusals, timeouts). */
  networkErrors: number;
  /** Request body bytes sent. */
  bytesUp: number;
  /** Response body bytes received. */
  bytesDown: number;
  /** Attempts repeated after a retryable failure. */
  retries: number;
  /** Answers with status 429 (Too Many Requests). */
  status429: number;
}

/** A snapshot of the counts: plain JSON for reports and benchmarks. */
export interface StatsSnapshot {
  requests: number;
  bytesUp: number;
  bytesDown: number;
  retries: number;
  status429: number;
  hosts: Record<string, HostCounts>;
}

/** Shared accounting of every transport's traffic. */
export class TransportStats {
  #hosts = new Map<string, HostCounts>();

  #host(host: string): HostCounts {
    let c = this.#hosts.get(host);
    if (!c) {
      c = { requests: {}, networkErrors: 0, bytesUp: 0, bytesDown: 0, retries: 0, status429: 0 };
      this.#hosts.set(host, c);
    }
    return c;
  }

  /** Counts one request sent to `host`, and its answer's status (undefined: no answer). */
  request(host: string, method: string, status: number | undefined): void {
    const c = this.#host(host);
    c.requests[method] = (c.requests[method] ?? 0) + 1;
    if (status === undefined) c.networkErrors++;
    if (status === 429) c.status429++;
  }

  /** Counts request body bytes sent to `host`. */
  bytesUp(host: string, n: number): void {
    this.#host(host).bytesUp += n;
  }

  /** Counts response body bytes received from `host`. */
  bytesDown(host: string, n: number): void {
    this.#host(host).bytesDown += n;
  }

  /** Counts one retried attempt against `host`. */
  retry(host: string): void {
    this.#host(host).retries++;
  }

  /** Total requests sent so far, over all hosts and methods. */
  get requests(): number {
    let n = 0;
    for (const c of this.#hosts.values()) {
      for (const k of Object.values(c.requests)) n += k;
    }
    return n;
  }

  /** The counts as a plain JSON object, hosts sorted. */
  snapshot(): StatsSnapshot {
    const hosts: Record<string, HostCounts> = {};
    let bytesUp = 0, bytesDown = 0, retries = 0, status429 = 0;
    for (const host of [...this.#hosts.keys()].sort()) {
      const c = this.#hosts.get(host)!;
      hosts[host] = { ...c, requests: { ...c.requests } };
      bytesUp += c.bytesUp;
      bytesDown += c.bytesDown;
      retries += c.retries;
      status429 += c.status429;
    }
    return { requests: this.requests, bytesUp, bytesDown, retries, status429, hosts };
  }
}
