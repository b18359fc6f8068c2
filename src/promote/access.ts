/**
 * How a promotion reaches registries: the `RegistryAccess` it is given (the run's real
 * registries, or fakes in tests), and the error it throws when one cannot be opened or read
 * before anything is copied.
 */
import {
  type Backend,
  type ContentReader,
  type Inventory,
  type OpenedRegistry,
  readRepositories,
  type Registries,
  type RetryPolicy,
} from "../registry/mod.ts";

/** How the promotion pipeline reaches registries (the real ones in production, fakes in tests). */
export interface RegistryAccess {
  /** Opens a registry by its manifest name, with the manifest's service account if any. */
  open(name: string, serviceAccount?: string): Promise<OpenedRegistry>;
  /** Reads the named repositories of a backend (missing repositories are empty). */
  readRepositories(backend: Backend, repos: string[]): Promise<Inventory>;
  /** Checks that the credentials of every registry opened can be obtained (before copies). */
  verifyCredentials?(): Promise<void>;
  /** Request and byte counts of the traffic so far, for reports. */
  stats?(): unknown;
  /** The run's retry policy, by which copies that failed are started again. */
  policy?: RetryPolicy;
  /** The run's reader of registry contents, shared with the checks (default: one per run). */
  reader?: ContentReader;
}

/** The real registry access of a run: the run's `Registries`, opened once each. */
export function registryAccess(registries: Registries): RegistryAccess {
  return {
    open: (name, serviceAccount) => Promise.resolve(registries.open(name, serviceAccount)),
    readRepositories: (backend, repos) =>
      readRepositories(backend, repos, undefined, { childrenOnlyIfUnlisted: true }),
    verifyCredentials: () => registries.verifyCredentials(),
    stats: () => registries.stats.snapshot(),
    policy: registries.policy,
    reader: registries.reader,
  };
}

/** Thrown when a registry cannot be opened or read, or its credentials obtained, before any copy. */
export class PromoteSetupError extends Error {
  /** `message` names the registry; the cause says why. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PromoteSetupError";
  }
}
