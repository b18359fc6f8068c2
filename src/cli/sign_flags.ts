/**
 * The flags of `--sign` as SignOptions: where the identity token comes from (`--identity-token`,
 * `SIGSTORE_ID_TOKEN`, GitHub Actions' OIDC endpoint, in that order), the Sigstore services, the
 * legacy `.sig` option, and the trusted root the signatures are checked against. Mistakes are
 * usage errors; nothing here reads the token (it is read when the first image is signed).
 */
import type { SignOptions } from "../promote/mod.ts";
import {
  githubActionsToken,
  KeylessSigner,
  tokenFromEnv,
  tokenFromFile,
  type TokenSource,
} from "../sigstore/mod.ts";
import type { TrustSettings } from "../trust/mod.ts";
import type { RunContext } from "./context.ts";
import { UsageError } from "./usage_error.ts";

const SIGN_ONLY = ["identity-token", "sign-legacy-sig", "fulcio-url", "rekor-url", "timestamp-url"];

/** The identity token source the flags and the environment name. */
function tokenSource(ctx: RunContext): TokenSource {
  const file = ctx.flags.values["identity-token"] as string | undefined;
  if (file !== undefined) return tokenFromFile(file);
  if (ctx.io.env("SIGSTORE_ID_TOKEN") !== undefined) {
    return tokenFromEnv("SIGSTORE_ID_TOKEN", ctx.io.env);
  }
  if (ctx.io.env("ACTIONS_ID_TOKEN_REQUEST_URL") !== undefined) {
    return githubActionsToken({ env: ctx.io.env, fetch: ctx.io.fetch });
  }
  throw new UsageError(
    "--sign needs an identity token: --identity-token=FILE, SIGSTORE_ID_TOKEN, or a GitHub " +
      "Actions job with `permissions: id-token: write`",
  );
}

/** The token source of a dry run: the one the flags name, or one that is never asked. */
function noToken(ctx: RunContext): TokenSource {
  try {
    return tokenSource(ctx);
  } catch {
    return { name: "no token (dry run)", token: () => Promise.reject(new Error("dry run")) };
  }
}

function url(ctx: RunContext, flag: string, fallback?: string): string | undefined {
  const value = (ctx.flags.values[flag] as string | undefined) ?? fallback;
  if (value === undefined) return undefined;
  try {
    const u = new URL(value);
    if (u.protocol !== "https:" && u.protocol !== "http:") throw new TypeError(u.protocol);
  } catch {
    throw new UsageError(`--${flag} must be an http(s) URL, not "${value}"`);
  }
  return value.replace(/\/+$/, "");
}

/**
 * The sign options when `--sign` is given, else undefined (and then the signing flags are a
 * usage error). `--sign` needs `--trusted-root` (signatures already there are verified, and the
 * new ones before they are stored) and a token source.
 */
export function readSignFlags(ctx: RunContext, trust: TrustSettings): SignOptions | undefined {
  const v = ctx.flags.values;
  if (v.sign !== true) {
    const stray = SIGN_ONLY.find((f) => v[f] !== undefined);
    if (stray) throw new UsageError(`--${stray} is used only with --sign`);
    return undefined;
  }
  if (!trust.root) {
    throw new UsageError(
      "--sign needs --trusted-root=FILE: signatures already there are verified against it, " +
        "and each new one before it is stored",
    );
  }
  // A dry run signs nothing: it needs no token, and says what it would sign.
  const token = v.confirm === true ? tokenSource(ctx) : noToken(ctx);
  const tsaUrl = url(ctx, "timestamp-url");
  const signer = new KeylessSigner({
    token,
    fulcioUrl: url(ctx, "fulcio-url", "https://fulcio.sigstore.dev")!,
    rekorUrl: url(ctx, "rekor-url", "https://rekor.sigstore.dev")!,
    fetch: ctx.io.fetch,
    now: ctx.io.now,
    ...(tsaUrl ? { tsaUrl } : {}),
  });
  return { signer, root: trust.root, cosign: v["sign-legacy-sig"] === true, now: ctx.io.now };
}
