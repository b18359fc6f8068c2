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

/** The manifests of one repository by digest. */
export type RepoInventory = Map<string, ImageRecord>;

/** Repositories (full paths inside a backend) and what each holds. */
export type Inventory = Map<string, RepoInventory>;
