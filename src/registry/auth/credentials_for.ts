/** Choosing a registry's credentials. */
import { DockerCredentials } from "./docker_provider.ts";
import { GoogleAccessTokens, GoogleCredentials } from "./google_provider.ts";
import type { CredentialOptions } from "./options.ts";
import type { CredentialProvider } from "./provider.ts";

/**
 * The credentials for one registry host: with `opts.serviceAccount`, Google access tokens for
 * exactly that account (on any host: the manifest says so); otherwise docker's config.json,
 * podman's auth.json, then anonymous. The provider gives its credentials for `host` only.
 * Pass one `opts.cache` for a whole run so that registries sharing a service account share
 * its token.
 */
export function credentialsFor(host: string, opts: CredentialOptions): CredentialProvider {
  const account = opts.serviceAccount;
  if (account !== undefined && account !== "") {
    const make = () => new GoogleAccessTokens(account, opts);
    const tokens = opts.cache ? opts.cache.get(`google:${account.toLowerCase()}`, make) : make();
    return new GoogleCredentials(tokens, host);
  }
  const make = () => new DockerCredentials(host.toLowerCase(), opts);
  return opts.cache ? opts.cache.get(`docker:${host.toLowerCase()}`, make) : make();
}

/**
 * Checks, before any copy, that a provider's credentials can be obtained (a Google token is
 * fetched, docker files are read and helpers run); throws a CredentialError listing what was
 * tried and why each failed.
 */
export async function verify(provider: CredentialProvider): Promise<void> {
  await provider.verify?.();
}
