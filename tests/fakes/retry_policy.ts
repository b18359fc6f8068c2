/** A retry policy for tests: waits are recorded, never slept. */
import { Logger } from "../../src/log.ts";
import { RetryPolicy, TransportStats } from "../../src/registry/mod.ts";

/** A policy whose waits are pushed to `sleeps` and resolve at once (jitter fixed at half). */
export function recordingPolicy(sleeps: number[] = [], maxAttempts?: number): RetryPolicy {
  return new RetryPolicy({
    ...(maxAttempts !== undefined ? { maxAttempts } : {}),
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    now: () => 0,
    stats: new TransportStats(),
    log: new Logger("error", () => {}),
  });
}
