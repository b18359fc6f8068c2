/** Finds where in the head's manifests a finding about an image or digest belongs (pure). */
import { normalize } from "node:path";
import type { Manifest } from "../manifest/mod.ts";

/** A place in a manifest file: the file, and the line when one fits. */
export interface Place {
  file: string;
  line?: number;
}

/** Looks up images and digests of the head's manifests by images file and name. */
export class HeadLocator {
  #images = new Map<string, { line: number; digests: Map<string, number> }>();

  /** Indexes the head's manifests (files are compared as normalized paths). */
  constructor(manifests: readonly Manifest[]) {
    for (const m of manifests) {
      for (const img of m.images) {
        const key = `${normalize(m.imagesFile)}\0${img.name}`;
        if (this.#images.has(key)) continue;
        const digests = new Map(img.digests.map((d) => [d.digest, d.pos.line]));
        this.#images.set(key, { line: img.pos.line, digests });
      }
    }
  }

  /**
   * Where something that stood in `imagesFile` at the base belongs at the head: the digest's
   * line if the head still lists it there, else the image's line, else the file alone.
   */
  place(imagesFile: string, image: string, digest?: string): Place {
    const found = this.#images.get(`${normalize(imagesFile)}\0${image}`);
    if (!found) return { file: imagesFile };
    const line = (digest !== undefined ? found.digests.get(digest) : undefined) ?? found.line;
    return line > 0 ? { file: imagesFile, line } : { file: imagesFile };
  }
}
