/** The list of every pre-submit check, in the order they run and are listed. */
import type { Check } from "./check.ts";
import { imageRemoval } from "./image_removal.ts";
import { imageSize } from "./image_size.ts";
import { manifestListChildren } from "./manifest_list_children.ts";
import { promotesNothing } from "./promotes_nothing.ts";
import { signatures } from "./signatures.ts";
import { tagMove } from "./tag_move.ts";
import { unsignedImage } from "./unsigned_image.ts";

/** Every check `cip` knows. Adding a check: one new file, one line here. */
export const ALL_CHECKS: readonly Check[] = [
  imageRemoval,
  tagMove,
  imageSize,
  manifestListChildren,
  promotesNothing,
  unsignedImage,
  signatures,
];
