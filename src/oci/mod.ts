/** Image manifests, indexes and media types: the one model of manifest bytes (pure). */
export * from "./media_types.ts";
export * from "./manifest.ts";
export * from "./artifact_names.ts";
