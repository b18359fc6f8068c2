/** The HTTP backend's manifest operations: HEAD, GET (exact bytes, checked) and PUT. */
import { outsideText } from "../../safe_text.ts";
import type { Descriptor, ManifestBytes } from "../api.ts";
import { sha256Digest } from "../digest_check.ts";
import { RegistryError } from "../errors.ts";
import { MANIFEST_LIMIT } from "../manifest_limit.ts";
import { isDigest } from "../reference.ts";
import {
  bareMediaType,
  isSchema1MediaType,
  MANIFEST_ACCEPT,
  MANIFEST_MEDIA_TYPES,
  sniffMediaType,
} from "../../oci/mod.ts";
import { type HttpContext, pullScope, pushScope, refText, urlOf } from "./context.ts";
import { discard, expectStatus, readBytesCapped, send } from "./response.ts";

/** A manifest's descriptor by tag or digest (HEAD; a GET when headers are missing). */
export async function headManifest(
  ctx: HttpContext,
  repo: string,
  ref: string,
): Promise<Descriptor | null> {
  const what = `look up ${ctx.display}/${repo}${refText(ref)}`;
  const res = await requestManifest(ctx, "HEAD", repo, ref, what);
  if (res === null) return null;
  await discard(res);
  const mediaType = bareMediaType(res.headers.get("Content-Type"));
  const header = res.headers.get("Docker-Content-Digest") ?? (isDigest(ref) ? ref : "");
  const size = Number(res.headers.get("Content-Length") ?? Number.NaN);
  if (
    MANIFEST_MEDIA_TYPES.includes(mediaType) && isDigest(header) &&
    Number.isSafeInteger(size) && size >= 0
  ) {
    return { mediaType, digest: header, size };
  }
  const m = await getManifest(ctx, repo, ref);
  return m === null ? null : { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length };
}

/** A manifest's exact bytes by tag or digest; the body is checked against a digest ref. */
export async function getManifest(
  ctx: HttpContext,
  repo: string,
  ref: string,
): Promise<ManifestBytes | null> {
  const what = `read manifest ${ctx.display}/${repo}${refText(ref)}`;
  const res = await requestManifest(ctx, "GET", repo, ref, what);
  if (res === null) return null;
  const bytes = await readBytesCapped(res, MANIFEST_LIMIT + 1);
  if (bytes.length > MANIFEST_LIMIT) {
    throw new RegistryError(`Cannot ${what}: it is larger than ${MANIFEST_LIMIT} bytes`);
  }
  const declared = bareMediaType(res.headers.get("Content-Type"));
  let mediaType = declared;
  if (!MANIFEST_MEDIA_TYPES.includes(declared)) {
    try {
      mediaType = sniffMediaType(bytes);
    } catch (e) {
      throw new RegistryError(`Cannot ${what}: ${e instanceof Error ? e.message : e}`, {
        cause: e,
      });
    }
  }
  const computed = sha256Digest(bytes);
  const header = res.headers.get("Docker-Content-Digest");
  if (isSchema1MediaType(mediaType)) {
    // A signed schema 1 manifest's digest is not the SHA-256 of the body as served.
    const digest = isDigest(ref) ? ref : header !== null && header !== "" ? header : computed;
    return { mediaType, digest, bytes };
  }
  if (isDigest(ref) && computed !== ref) {
    throw new RegistryError(
      `Cannot ${what}: the registry served content with digest ${computed}`,
    );
  }
  if (header !== null && header !== "" && header !== computed) {
    throw new RegistryError(
      `Cannot ${what}: the registry says its digest is ${
        outsideText(header)
      } but the content's is ${computed}`,
    );
  }
  return { mediaType, digest: computed, bytes };
}

/** Stores a manifest's exact bytes under a tag or its digest. */
export async function putManifest(
  ctx: HttpContext,
  repo: string,
  ref: string,
  manifest: ManifestBytes,
): Promise<void> {
  const what = `store manifest ${manifest.digest} as ${ctx.display}/${repo}${refText(ref)}`;
  const schema1 = isSchema1MediaType(manifest.mediaType);
  if (!schema1 && sha256Digest(manifest.bytes) !== manifest.digest) {
    throw new RegistryError(`Cannot ${what}: the bytes do not have that digest`);
  }
  if (isDigest(ref) && ref !== manifest.digest) {
    throw new RegistryError(`Cannot ${what}: the reference names another digest`);
  }
  const res = await send(
    () =>
      ctx.fetch(
        new Request(manifestUrl(ctx, repo, ref), {
          method: "PUT",
          headers: {
            "Content-Type": manifest.mediaType,
            "Content-Length": String(manifest.bytes.length),
          },
          body: manifest.bytes as Uint8Array<ArrayBuffer>,
        }),
        { scopes: [pushScope(repo)] },
      ),
    what,
  );
  await expectStatus(res, [200, 201], what);
  await discard(res);
  const stored = res.headers.get("Docker-Content-Digest");
  if (!schema1 && stored !== null && stored !== "" && stored !== manifest.digest) {
    throw new RegistryError(`Cannot ${what}: the registry stored it as ${outsideText(stored)}`);
  }
}

function manifestUrl(ctx: HttpContext, repo: string, ref: string): URL {
  return urlOf(ctx, `/v2/${repo}/manifests/${ref}`);
}

/** Asks for a manifest by tag or digest: null on 404, else the response (checked to be 200). */
async function requestManifest(
  ctx: HttpContext,
  method: "HEAD" | "GET",
  repo: string,
  ref: string,
  what: string,
): Promise<Response | null> {
  const res = await send(
    () =>
      ctx.fetch(
        new Request(manifestUrl(ctx, repo, ref), {
          method,
          headers: { Accept: MANIFEST_ACCEPT },
        }),
        { scopes: [pullScope(repo)], ...(method === "GET" ? { read: MANIFEST_LIMIT + 1 } : {}) },
      ),
    what,
  );
  if (res.status === 404) {
    await discard(res);
    return null;
  }
  await expectStatus(res, [200], what);
  return res;
}
