/**
 * The OCI image layout backend (`ocidir://PATH`): one file per kind of operation (repository,
 * manifest, blob), as in the HTTP backend (../http/), plus the layout's files, safe writes and
 * verified reads. `backend.ts` assembles them into the Backend.
 */
export { OciDirBackend, type OciDirOptions } from "./backend.ts";
export { blobPath, ensureLayout, type LayoutState, readLayout, recordEntry } from "./layout.ts";
export { LayoutRoot, repositoryProblem } from "./layout_root.ts";
export { walkLayouts } from "./repository.ts";
export { checkBlobFile, openVerified, readVerified, streamOf, writeBlob } from "./blob.ts";
export {
  type Checkpoint,
  fsError,
  lstatOrNull,
  syncDir,
  type WriteOptions,
  type WritePoint,
} from "./fs_util.ts";
export { type IndexEntry, REF_NAME } from "./index_file.ts";
export { manifestFacts } from "./manifest.ts";
export { type ChildCache, manifestSet, type Member } from "./manifest_set.ts";
