/** What the transport asks credential sources for. */

/** A username and password (for Google: `oauth2accesstoken` and an access token). */
export interface BasicCredentials {
  username: string;
  password: string;
}

/** Credentials to present to one registry host when it challenges. */
export interface CredentialProvider {
  /**
   * Basic credentials for this host (for Basic challenges and for the Bearer realm request), or
   * null for anonymous; always null for a host other than the provider's own. Called again when
   * a token expires, so it may refresh (Google access tokens).
   */
  basic(host: string): Promise<BasicCredentials | null>;
  /** Or an OAuth2 refresh token (docker `identitytoken`) to POST to the realm instead. */
  identityToken?(host: string): Promise<string | null>;
  /** Human-readable description for errors and logs, never containing a secret. */
  describe(): string;
  /**
   * Checks that the credentials can be obtained (before any copy); throws a CredentialError
   * listing what was tried and why each failed. Absent: nothing to check.
   */
  verify?(): Promise<void>;
}

/** No credentials: every registry is read anonymously. */
export const ANONYMOUS: CredentialProvider = {
  basic: () => Promise.resolve(null),
  describe: () => "anonymous",
};
