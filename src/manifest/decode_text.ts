/** Turns the bytes of a manifest file into text, refusing binary data and invalid UTF-8 (pure). */
import type { Problems } from "./problems.ts";

/**
 * The largest manifest file read, in bytes. The YAML library needs roughly 300 ms and 75 MiB
 * of memory per MiB of YAML on this kind of machine, so 8 MiB (about 90,000 digests) keeps
 * one file under a few seconds and 1 GiB; the largest real images.yaml files are far smaller.
 */
export const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;

/**
 * The most bytes of manifests read in one run (a thin directory of many files): a set shaped
 * like Kubernetes production is 1.5 MiB, and this bounds a run to well under a minute.
 */
export const MAX_TOTAL_MANIFEST_BYTES = 64 * 1024 * 1024;

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Decodes UTF-8 bytes (a leading BOM is dropped); reports NUL bytes and bad UTF-8, then null. */
export function decodeManifestText(
  bytes: Uint8Array,
  file: string,
  problems: Problems,
): string | null {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const { line, col } = bytePosition(bytes, nul);
    problems.add(
      { file, line, col },
      "",
      "the file contains a NUL byte: this looks like binary data, expected YAML text",
    );
    return null;
  }
  try {
    return decoder.decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const { line, col } = bytePosition(bytes, bad);
    problems.add(
      { file, line, col },
      "",
      `the file is not valid UTF-8 text (bad byte 0x${
        (bytes[bad] ?? 0).toString(16).padStart(2, "0")
      } at byte offset ${bad}); save it as UTF-8`,
    );
    return null;
  }
}

/** The 1-based line and column (counted in bytes) of a byte offset. */
function bytePosition(bytes: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

/** The offset of the first byte that breaks UTF-8 (bytes.length when the input ends early). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return bytes.length;
}
