/**
 * Registry credentials: which username/password, identity token or Google access token to
 * present to a registry host. The transport asks a CredentialProvider when a host challenges.
 */
export { ANONYMOUS, type BasicCredentials, type CredentialProvider } from "./provider.ts";
export { type Attempt, CredentialError } from "./credential_error.ts";
export { credentialsFor, verify } from "./credentials_for.ts";
export {
  CredentialCache,
  type CredentialOptions,
  type ProgramResult,
  type RunProgram,
} from "./options.ts";
export { IAM_CREDENTIALS_URL } from "./google_impersonation.ts";
export { GoogleIdTokens, OPEN_ID_TOKEN_CREATOR } from "./google_id_token.ts";
