/**
 * Promoter manifests: types, strict parsing, loading of plain files and thin directories, edges
 * and what a change to them touches. The manifests at a git base are in git_base/.
 */
export * from "./types.ts";
export * from "./errors.ts";
export { MAX_MANIFEST_BYTES, MAX_TOTAL_MANIFEST_BYTES } from "./decode_text.ts";
export { MAX_YAML_VALUES } from "./yaml_limits.ts";
export {
  describeSkipped,
  filePos,
  inSkippedParts,
  Problems,
  type Remark,
  type SkippedPart,
} from "./problems.ts";
export { parsePlainManifest, parseThinManifest } from "./parse.ts";
export {
  type EntryKind,
  type FileTree,
  joinTreePath,
  type TreeEntry,
  TreeError,
} from "./file_tree.ts";
export { FsTree } from "./fs_tree.ts";
export {
  edgesOf,
  IMAGES_FILE,
  type LoadedManifests,
  loadManifests,
  loadPlainManifest,
  loadThinManifests,
  type ManifestInput,
  PROMOTER_MANIFEST_FILE,
} from "./load.ts";
export {
  computeEdges,
  type EdgeSet,
  edgeTarget,
  type Overlap,
  overlapErrors,
  type RedundantEdge,
} from "./edges.ts";
export { EdgeIndex } from "./edge_index.ts";
export { changedEdges } from "./changed_edges.ts";
