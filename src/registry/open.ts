/**
 * Opening registries by their manifest names: one backend per (host, service account), all
 * sharing the per-host limits and the accounting of one run.
 */
import type { Logger } from "../log.ts";
import type { Backend } from "./api.ts";
import {
  CredentialCache,
  type CredentialOptions,
  type CredentialProvider,
  credentialsFor,
  GoogleIdTokens,
} from "./auth/mod.ts";
import { HttpBackend } from "./http/backend.ts";
import { RegistryError } from "./errors.ts";
import { ContentReader } from "./reader.ts";
import { OciDirBackend } from "./ocidir/mod.ts";
import { parseRegistryName, registryBaseUrl } from "./reference.ts";
import type { HttpFetch } from "./http/http_fetch.ts";
import {
  createCallTransport,
  createTransport,
  DEFAULT_MAX_IN_FLIGHT,
  defaultRequestsPerSecond,
  HostLimiters,
  realSleep,
  RetryPolicy,
  TransportStats,
} from "./transport/mod.ts";

/** Chooses the credentials of one registry host, for one service account (or none). */
export type CredentialChooser = (
  host: string,
  serviceAccount: string | undefined,
) => CredentialProvider;

/** What opening registries needs: flags, the outside world, and how to find credentials. */
export interface RegistriesOptions {
  /** `--key-files`: Google service-account key files (JSON). */
  keyFiles: string[];
  /** The environment (DOCKER_CONFIG, GOOGLE_APPLICATION_CREDENTIALS, GCE_METADATA_HOST...). */
  env: (name: string) => string | undefined;
  /** `--insecure-registries`: hosts reached over plain http besides loopback ones. */
  insecureHosts: string[];
  /** `--max-requests-per-second`; default 50 on Google hosts, unlimited elsewhere. */
  maxRequestsPerSecond?: number;
  /** `--threads`: requests in flight per host; default 20. */
  threads?: number;
  /**
   * Credentials per host and service account; default `credentialsFor` (Google tokens for a
   * service account, else docker / podman config, else anonymous), one cache per Registries.
   */
  credentials?: CredentialChooser;
  /** Reads credential files (tests pass a fake); default Deno.readTextFile. */
  readFile?: CredentialOptions["readFile"];
  /** Runs docker credential helpers (tests pass a fake). */
  runHelper?: CredentialOptions["runHelper"];
  fetch: typeof fetch;
  now: () => number;
  log: Logger;
  /** For waits imposed by rate limits and retries (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>;
  /** Uniform random numbers in [0, 1) for backoff jitter. */
  random?: () => number;
  /** Attempts per replayable request (the transport's default when absent). */
  maxAttempts?: number;
  /** Whether OCI layout directories fsync their writes (default true). */
  fsync?: boolean;
}

/** A registry opened from a manifest name: the backend and the path prefix inside it. */
export interface OpenedRegistry {
  backend: Backend;
  /** Repository path prefix, e.g. `k8s-artifacts-prod/images` ("" for none). */
  prefix: string;
}

/** The registries of one run: opened once each, limited per host, counted together. */
export class Registries {
  /** Requests, bytes and retries of every registry opened here. */
  readonly stats = new TransportStats();
  /** The per-host rate and in-flight limits, shared by every backend of a host. */
  readonly limiters: HostLimiters;
  /**
   * The run's one retry policy: every transport's retry layer, and the operations that repeat
   * a whole sequence of requests (an upload started again), wait and give up by it.
   */
  readonly policy: RetryPolicy;
  /** What this run reads of its registries, read once (see ContentReader). */
  readonly reader = new ContentReader();
  /** Calls to services that are not registries (Google's credential endpoints). */
  readonly #call: HttpFetch;
  #opts: RegistriesOptions;
  #http = new Map<string, HttpBackend>();
  #credentials = new Map<string, CredentialProvider>();
  #choose: CredentialChooser;
  #dirs = new Map<string, OciDirBackend>();

  /** See RegistriesOptions. */
  constructor(opts: RegistriesOptions) {
    this.#opts = opts;
    const limits: ConstructorParameters<typeof HostLimiters>[0] = {
      requestsPerSecond: (host) => defaultRequestsPerSecond(host, opts.maxRequestsPerSecond),
      maxInFlight: opts.threads ?? DEFAULT_MAX_IN_FLIGHT,
      now: opts.now,
    };
    if (opts.sleep !== undefined) limits.sleep = opts.sleep;
    this.limiters = new HostLimiters(limits);
    this.policy = new RetryPolicy({
      ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
      sleep: opts.sleep ?? realSleep,
      random: opts.random ?? Math.random,
      now: opts.now,
      stats: this.stats,
      log: opts.log,
    });
    this.#call = createCallTransport({
      limiters: this.limiters,
      policy: this.policy,
      stats: this.stats,
      log: opts.log,
      fetch: opts.fetch,
      now: opts.now,
    });
    this.#choose = opts.credentials ?? this.#defaultCredentials();
  }

  /** `credentialsFor` with this run's flags, environment and one shared cache. */
  #defaultCredentials(): CredentialChooser {
    const cache = new CredentialCache();
    return (host, serviceAccount) => {
      const c = this.#credentialOptions();
      c.cache = cache;
      if (serviceAccount !== undefined) c.serviceAccount = serviceAccount;
      return credentialsFor(host, c);
    };
  }

  /** What this run's credential sources may touch, calling Google through the run's transport. */
  #credentialOptions(): CredentialOptions {
    const o = this.#opts;
    const c: CredentialOptions = {
      keyFiles: o.keyFiles,
      env: o.env,
      fetch: o.fetch,
      call: this.#call,
      now: o.now,
      log: o.log,
    };
    if (o.sleep !== undefined) c.sleep = o.sleep;
    if (o.readFile !== undefined) c.readFile = o.readFile;
    if (o.runHelper !== undefined) c.runHelper = o.runHelper;
    return c;
  }

  /**
   * An OIDC identity token of the Google service account `account` for `audience` (the IAM
   * credentials API's `generateIdToken`), asked as the Google identity this run has (the key or
   * user in GOOGLE_APPLICATION_CREDENTIALS, else the metadata server's account) through the
   * run's call transport. Throws CredentialError or RegistryError saying why, never a token.
   */
  googleIdToken(account: string, audience: string): Promise<string> {
    return new GoogleIdTokens(account, this.#credentialOptions()).token(audience);
  }

  /**
   * Opens a registry by its manifest name (`host[:port][/path]` or `ocidir://DIR`); the
   * service account chooses the credentials of an HTTP registry. Throws RegistryError for a
   * name that is not valid.
   */
  open(name: string, serviceAccount?: string): OpenedRegistry {
    const parsed = parseRegistryName(name);
    if ("error" in parsed) {
      throw new RegistryError(`Cannot open registry "${name}": ${parsed.error}`);
    }
    if (parsed.kind === "ocidir") {
      let dir = this.#dirs.get(parsed.dir);
      if (dir === undefined) {
        dir = new OciDirBackend(parsed.dir, { fsync: this.#opts.fsync ?? true });
        this.#dirs.set(parsed.dir, dir);
      }
      return { backend: dir, prefix: parsed.prefix };
    }
    const host = parsed.host.toLowerCase();
    const key = `${host}\n${serviceAccount ?? ""}`;
    let backend = this.#http.get(key);
    if (backend === undefined) {
      const credentials = this.#choose(host, serviceAccount);
      this.#credentials.set(key, credentials);
      backend = new HttpBackend({
        host,
        fetch: this.#transport(host, credentials),
        insecureHosts: this.#opts.insecureHosts,
      });
      this.#http.set(key, backend);
    }
    return { backend, prefix: parsed.prefix };
  }

  /**
   * Checks that the credentials of every registry opened so far can be obtained (run before
   * any copy); rejects with the first provider's error, which lists what was tried.
   */
  async verifyCredentials(): Promise<void> {
    for (const provider of this.#credentials.values()) await provider.verify?.();
  }

  #transport(host: string, credentials: CredentialProvider) {
    const o = this.#opts;
    return createTransport({
      host,
      baseUrl: registryBaseUrl(host, o.insecureHosts),
      credentials,
      limiter: this.limiters.for(host),
      policy: this.policy,
      stats: this.stats,
      log: o.log,
      fetch: o.fetch,
      now: o.now,
    });
  }
}
