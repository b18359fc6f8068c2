/** Docker's config.json and podman's auth.json: finding a host's entry (auths, helpers). */
import { outsideText } from "../../safe_text.ts";
import { CredentialError } from "./credential_error.ts";
import { fileReadReason, type RunProgram } from "./options.ts";

/** Credentials found for a host, or why none were. */
export type Found =
  | { kind: "basic"; username: string; password: string; source: string }
  | { kind: "identity"; token: string; source: string }
  | { kind: "none"; tried: string[] };

/** The parts of config.json / auth.json used here. */
interface AuthFile {
  auths?: Record<
    string,
    { auth?: string; username?: string; password?: string; identitytoken?: string }
  >;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

const DOCKER_HUB = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

/** The key docker uses for a host: Docker Hub has its historical URL. */
function serverUrl(host: string): string {
  return DOCKER_HUB.has(host) ? "https://index.docker.io/v1/" : host;
}

/** `https://host/v1/` -> `host`: the host part of an auths key. */
function normalizeKey(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "").toLowerCase();
}

function matches(key: string, host: string): boolean {
  const k = normalizeKey(key);
  const h = host.toLowerCase();
  return k === h || (DOCKER_HUB.has(h) && DOCKER_HUB.has(k));
}

/** The credential files to look at, in order: docker's, then podman's. */
export function authFilePaths(
  env: (n: string) => string | undefined,
): { path: string; kind: string }[] {
  const out: { path: string; kind: string }[] = [];
  // Windows sets USERPROFILE where other systems set HOME.
  const home = env("HOME") ?? env("USERPROFILE");
  const dockerConfig = env("DOCKER_CONFIG");
  if (dockerConfig) out.push({ path: `${dockerConfig}/config.json`, kind: "docker config" });
  else if (home) out.push({ path: `${home}/.docker/config.json`, kind: "docker config" });
  const registryAuth = env("REGISTRY_AUTH_FILE");
  if (registryAuth) out.push({ path: registryAuth, kind: "podman auth file" });
  const runtime = env("XDG_RUNTIME_DIR");
  if (runtime) out.push({ path: `${runtime}/containers/auth.json`, kind: "podman auth file" });
  if (home) out.push({ path: `${home}/.config/containers/auth.json`, kind: "podman auth file" });
  return out;
}

/** Parses a credential file; a malformed one is an error (not silently anonymous). */
export function parseAuthFile(text: string, path: string): AuthFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CredentialError(`credentials from ${path}`, [{
      source: path,
      reason: "is not valid JSON",
    }]);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new CredentialError(`credentials from ${path}`, [{
      source: path,
      reason: "is not a JSON object",
    }]);
  }
  return json as AuthFile;
}

/** Decodes an `auth` value: base64 of `user:password`. */
function decodeAuth(
  auth: string,
  path: string,
  key: string,
): { username: string; password: string } {
  let text: string;
  try {
    const bin = atob(auth);
    text = new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    throw new CredentialError(`credentials from ${path}`, [
      { source: `${path} auths["${key}"]`, reason: "auth is not base64" },
    ]);
  }
  const colon = text.indexOf(":");
  if (colon < 0) {
    throw new CredentialError(`credentials from ${path}`, [
      { source: `${path} auths["${key}"]`, reason: "auth is not user:password" },
    ]);
  }
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Asks `docker-credential-<name> get` for a host; null when it has nothing for it. */
async function askHelper(
  name: string,
  host: string,
  run: RunProgram,
): Promise<Found | null> {
  const program = `docker-credential-${name}`;
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new CredentialError(`credentials for ${host}`, [{
      source: program,
      reason: "is not a valid helper name",
    }]);
  }
  let r;
  try {
    r = await run(program, ["get"], serverUrl(host));
  } catch (e) {
    throw new CredentialError(`credentials for ${host}`, [
      {
        source: program,
        reason: `cannot be run: ${
          e instanceof Deno.errors.NotFound ? "not found on PATH" : fileReadReason(e)
        }`,
      },
    ], { cause: e });
  }
  if (r.code !== 0) {
    const said = (r.stdout.trim() || r.stderr.trim()).split("\n")[0] ?? "";
    if (/credentials not found/i.test(said)) return null;
    throw new CredentialError(`credentials for ${host}`, [
      {
        source: `${program} get`,
        reason: `failed with exit code ${r.code}: ${outsideText(said, 200)}`,
      },
    ]);
  }
  let json: { Username?: unknown; Secret?: unknown };
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new CredentialError(`credentials for ${host}`, [{
      source: `${program} get`,
      reason: "printed no JSON",
    }]);
  }
  if (typeof json.Secret !== "string" || json.Secret === "") return null;
  const username = typeof json.Username === "string" ? json.Username : "";
  if (username === "<token>") return { kind: "identity", token: json.Secret, source: program };
  return {
    kind: "basic",
    username,
    password: json.Secret,
    source: `${program} (user ${username})`,
  };
}

/**
 * Finds credentials for `host` in one parsed file: its credential helper (`credHelpers[host]`,
 * else `credsStore`), then its `auths` entry (`identitytoken`, `auth`, or username/password).
 */
export async function lookupInFile(
  file: AuthFile,
  path: string,
  host: string,
  run: RunProgram,
): Promise<Found | null> {
  const helper = Object.entries(file.credHelpers ?? {}).find(([k]) => matches(k, host))?.[1] ??
    file.credsStore;
  if (typeof helper === "string" && helper !== "") {
    const found = await askHelper(helper, host, run);
    if (found) return found;
  }
  for (const [key, entry] of Object.entries(file.auths ?? {})) {
    if (!matches(key, host) || typeof entry !== "object" || entry === null) continue;
    if (typeof entry.identitytoken === "string" && entry.identitytoken !== "") {
      return { kind: "identity", token: entry.identitytoken, source: `${path} (identity token)` };
    }
    if (typeof entry.auth === "string" && entry.auth !== "") {
      const { username, password } = decodeAuth(entry.auth, path, key);
      return { kind: "basic", username, password, source: `${path} (user ${username})` };
    }
    if (typeof entry.username === "string" && typeof entry.password === "string") {
      return {
        kind: "basic",
        username: entry.username,
        password: entry.password,
        source: `${path} (user ${entry.username})`,
      };
    }
  }
  return null;
}
