/**
 * The registry layer: the Backend interface, HTTP registries (client over the transport),
 * OCI layout directories, references, media types, and inventories. Promotion, snapshots and
 * checks import from here.
 */
export type {
  Backend,
  BlobStream,
  Descriptor,
  ListedManifest,
  ManifestBytes,
  TagListing,
} from "./api.ts";
export { RegistryError } from "./errors.ts";
export type { ImageRecord, Inventory, RepoInventory } from "./inventory_types.ts";
export {
  isDigest,
  isGoogleHost,
  isLoopbackHost,
  isRepository,
  isTag,
  joinRepository,
  MAX_REPOSITORY_LENGTH,
  parseHostList,
  parseRegistryName,
  registryBaseUrl,
  type RegistryName,
  schemeFor,
} from "./reference.ts";
// The manifest model (src/oci) is the registry layer's too; its names are handed on here.
export {
  bareMediaType,
  DOCKER_LIST,
  DOCKER_MANIFEST,
  DOCKER_SCHEMA1,
  DOCKER_SCHEMA1_SIGNED,
  isIndexMediaType,
  isSchema1MediaType,
  MANIFEST_ACCEPT,
  MANIFEST_MEDIA_TYPES,
  ManifestFormatError,
  type ManifestModel,
  OCI_INDEX,
  OCI_MANIFEST,
  readManifest,
  sniffMediaType,
} from "../oci/mod.ts";
export {
  commitTimeoutMs,
  HttpBackend,
  type HttpBackendOptions,
  type HttpFetch,
  MANIFEST_LIMIT,
  MONOLITHIC_LIMIT,
  plainHttpFetch,
  pullScope,
  pushScope,
  type RequestHint,
} from "./http/mod.ts";
export { modelOf } from "./manifest_read.ts";
export { ContentReader } from "./reader.ts";
export { DigestVerifier, sha256Digest } from "./digest_check.ts";
export {
  type InventoryProgress,
  type OnProgress,
  readRepositories,
  walkRegistry,
} from "./inventory.ts";
export { OciDirBackend, type OciDirOptions } from "./ocidir/mod.ts";
export {
  type CredentialChooser,
  type OpenedRegistry,
  Registries,
  type RegistriesOptions,
} from "./open.ts";
export { isExhausted, RetryPolicy, type StatsSnapshot, TransportStats } from "./transport/mod.ts";
export { ANONYMOUS, type CredentialProvider } from "./auth/mod.ts";
