/**
 * Registry credentials: which username/password, identity token or Google access token to
 * present to a registry host. The transport asks a CredentialProvider when a host challenges.
 */
export { ANONYMOUS, type BasicCredentials, type CredentialProvider } from "./provider.ts";
export { type Attempt, CredentialError } from "./credential_error.ts";
