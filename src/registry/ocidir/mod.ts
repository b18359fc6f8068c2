/**
 * The pieces of the OCI image layout backend (`ocidir://PATH`): layout files, safe writes,
 * verified reads, the directory walk. `../ocidir.ts` assembles them into the Backend.
 */
export { blobPath, ensureLayout, type LayoutState, readLayout, recordEntry } from "./layout.ts";
export { LayoutRoot, repositoryProblem } from "./layout_root.ts";
export { walkLayouts } from "./walk.ts";
export { checkBlobFile, openVerified, readVerified, streamOf, writeBlob } from "./blob_io.ts";
export {
  type Checkpoint,
  fsError,
  lstatOrNull,
  syncDir,
  type WriteOptions,
  type WritePoint,
} from "./fs_util.ts";
export { type IndexEntry, REF_NAME } from "./index_file.ts";
export { manifestFacts } from "./manifest_facts.ts";
export { type ChildCache, manifestSet, type Member } from "./manifest_set.ts";
