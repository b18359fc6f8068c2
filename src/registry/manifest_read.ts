/** Reading fetched manifests with the one manifest model, failures as RegistryErrors. */
import { ManifestFormatError, type ManifestModel, readManifest } from "../oci/mod.ts";
import type { ManifestBytes } from "./api.ts";
import { RegistryError } from "./errors.ts";

/** What `m` is and references; throws RegistryError naming the manifest when unreadable. */
export function modelOf(m: ManifestBytes): ManifestModel {
  try {
    return readManifest(m.bytes, m.mediaType);
  } catch (e) {
    if (!(e instanceof ManifestFormatError)) throw e;
    throw new RegistryError(`Cannot read manifest ${m.digest}: ${e.message}`, { cause: e });
  }
}
