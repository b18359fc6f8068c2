/** The largest manifest read, from a registry or an OCI layout (registries accept 4 MB). */
export const MANIFEST_LIMIT = 16 * 1024 * 1024;
