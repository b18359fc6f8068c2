/** Credentials for non-Google registries: docker's config.json, podman's auth.json, anonymous. */
import { CredentialError } from "./credential_error.ts";
import { authFilePaths, type Found, lookupInFile, parseAuthFile } from "./docker_config.ts";
import type { CredentialProvider } from "./provider.ts";
import {
  type CredentialOptions,
  fileReadReason,
  readTextFile,
  subprocessRunner,
} from "./options.ts";

/**
 * Looks a host up in docker's config.json (`$DOCKER_CONFIG/config.json`, else
 * `~/.docker/config.json`), then podman's auth files (`$REGISTRY_AUTH_FILE`,
 * `$XDG_RUNTIME_DIR/containers/auth.json`, `~/.config/containers/auth.json`); the first file
 * with credentials for the host wins, otherwise the host is read anonymously. The lookup
 * happens once, on first use.
 */
export class DockerCredentials implements CredentialProvider {
  #found: Promise<Found> | undefined;
  #settled: Found | undefined;

  /** Credentials for `host` (host[:port]). */
  constructor(readonly host: string, readonly opts: CredentialOptions) {}

  #lookup(): Promise<Found> {
    this.#found ??= find(this.host, this.opts).then((f) => {
      this.#settled = f;
      this.opts.log.debug(`credentials for ${this.host}: ${this.describe()}`);
      return f;
    });
    return this.#found;
  }

  /** Basic credentials from the files or helpers, or null (always for another host). */
  async basic(host: string): Promise<{ username: string; password: string } | null> {
    if (!this.#mine(host)) return null;
    const f = await this.#lookup();
    return f.kind === "basic" ? { username: f.username, password: f.password } : null;
  }

  /** The identity token from the files or helpers, or null (always for another host). */
  async identityToken(host: string): Promise<string | null> {
    if (!this.#mine(host)) return null;
    const f = await this.#lookup();
    return f.kind === "identity" ? f.token : null;
  }

  /** Whether `host` is the one these credentials were looked up for. */
  #mine(host: string): boolean {
    return host.toLowerCase() === this.host;
  }

  /** Where the credentials come from, e.g. `/home/ci/.docker/config.json (user ci)`. */
  describe(): string {
    const f = this.#settled;
    if (!f) return `docker/podman credentials for ${this.host} (not looked up yet)`;
    if (f.kind === "none") return `anonymous (no docker or podman credentials for ${this.host})`;
    return f.source;
  }

  /** Reads the files (and runs helpers) now; throws on a malformed file or a failing helper. */
  async verify(): Promise<void> {
    await this.#lookup();
  }
}

async function find(host: string, opts: CredentialOptions): Promise<Found> {
  const read = opts.readFile ?? readTextFile;
  const run = opts.runHelper ?? subprocessRunner(opts.env("PATH"));
  const tried: string[] = [];
  for (const { path } of authFilePaths(opts.env)) {
    let text: string;
    try {
      text = opts.cache ? await opts.cache.get(`file:${path}`, () => read(path)) : await read(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        tried.push(`${path}: absent`);
        continue;
      }
      throw new CredentialError(`credentials for ${host}`, [
        { source: path, reason: `cannot be read: ${fileReadReason(e)}` },
      ], { cause: e });
    }
    const found = await lookupInFile(parseAuthFile(text, path), path, host, run);
    if (found) return found;
    tried.push(`${path}: nothing for ${host}`);
  }
  return { kind: "none", tried };
}
