/**
 * The HTTP backend: a registry reached over the OCI distribution API through the transport.
 * One file per kind of operation (repository, tag, manifest, blob), as in the OCI layout
 * backend (../ocidir/).
 */
export { HttpBackend, type HttpBackendOptions, MANIFEST_LIMIT } from "./backend.ts";
export { commitTimeoutMs, MONOLITHIC_LIMIT } from "./blob.ts";
export { pullScope, pushScope } from "./context.ts";
export { type HttpFetch, plainHttpFetch, type RequestHint } from "./http_fetch.ts";
