/** What a registry holds, as read by inventories: repository -> digest -> facts. */

/** One manifest in a repository: its tags and what is known about it. */
export interface ImageRecord {
  digest: string;
  /** Tags pointing at this digest, sorted. */
  tags: string[];
  mediaType?: string;
  /** Size in bytes where known. */
  size?: number;
  /** For manifest lists and OCI indexes: the digests of their children. */
  children?: string[];
}

/** The manifests of one repository by digest, and how much its listing said. */
export interface RepoInventory extends Map<string, ImageRecord> {
  /**
   * "absent": the repository did not exist when listed (no manifest; at most blobs an
   * interrupted upload left, which the copier then uploads again rather than ask for);
   * "complete": the listing named every manifest (a digest it did not name is not there).
   * Unset: the listing named tags only (untagged manifests may be there unseen).
   */
  listed?: "absent" | "complete";
}

/** Repositories (full paths inside a backend) and what each holds. */
export type Inventory = Map<string, RepoInventory>;
