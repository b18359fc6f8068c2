/**
 * The flags of `--sign` as SignOptions: where the identity token comes from (`--identity-token`
 * or `--signer-account`, then `SIGSTORE_ID_TOKEN`, then GitHub Actions' OIDC endpoint, in that
 * order), the Sigstore services, the legacy `.sig` option, and the trusted root the signatures
 * are checked against. Mistakes are usage errors; nothing here reads or asks for the token (it
 * is had when the first image is signed).
 */
import type { SignOptions } from "../promote/mod.ts";
import type { Registries } from "../registry/mod.ts";
import {
  githubActionsToken,
  KeylessSigner,
  tokenFromEnv,
  tokenFromFile,
  tokenFromProvider,
  type TokenSource,
} from "../sigstore/mod.ts";
import type { TrustSettings } from "../trust/mod.ts";
import type { RunContext } from "./context.ts";
import { UsageError } from "./usage_error.ts";

const SIGN_ONLY = [
  "identity-token",
  "signer-account",
  "sign-legacy-sig",
  "fulcio-url",
  "rekor-url",
  "timestamp-url",
];

/** A Google service account's address: local part, @, dotted domain (as manifests check it). */
const ACCOUNT_RE =
  /^[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$/;

/**
 * `--signer-account=EMAIL`: identity tokens of that Google service account from the IAM
 * credentials API, asked with the run's Google credentials (see Registries.googleIdToken).
 */
function signerAccount(ctx: RunContext, registries: Registries): TokenSource | undefined {
  const account = ctx.flags.values["signer-account"] as string | undefined;
  if (account === undefined) return undefined;
  if (!ACCOUNT_RE.test(account) || account.length > 254) {
    throw new UsageError(
      `--signer-account must be a service account's e-mail address, not "${account}"`,
    );
  }
  return tokenFromProvider(
    `Google service account ${account}`,
    (audience) => registries.googleIdToken(account, audience),
  );
}

/**
 * The identity token source the flags and the environment name, or undefined when they name
 * none; UsageError for flags that contradict each other or an invalid account.
 */
function tokenSource(ctx: RunContext, registries: Registries): TokenSource | undefined {
  const file = ctx.flags.values["identity-token"] as string | undefined;
  const google = signerAccount(ctx, registries);
  if (file !== undefined && google !== undefined) {
    throw new UsageError("--identity-token and --signer-account cannot be used together");
  }
  if (file !== undefined) return tokenFromFile(file);
  if (google !== undefined) return google;
  if (ctx.io.env("SIGSTORE_ID_TOKEN") !== undefined) {
    return tokenFromEnv("SIGSTORE_ID_TOKEN", ctx.io.env);
  }
  if (ctx.io.env("ACTIONS_ID_TOKEN_REQUEST_URL") !== undefined) {
    return githubActionsToken({ env: ctx.io.env, fetch: ctx.io.fetch });
  }
  return undefined;
}

/**
 * The token source of a run: with --confirm, the one the flags name (UsageError when none is);
 * in a dry run, which signs nothing, that one or one that is never asked.
 */
function runTokenSource(ctx: RunContext, registries: Registries): TokenSource {
  const named = tokenSource(ctx, registries);
  if (named !== undefined) return named;
  if (ctx.flags.values.confirm === true) {
    throw new UsageError(
      "--sign needs an identity token: --identity-token=FILE, --signer-account=EMAIL, " +
        "SIGSTORE_ID_TOKEN, or a GitHub Actions job with `permissions: id-token: write`",
    );
  }
  return { name: "no token (dry run)", token: () => Promise.reject(new Error("dry run")) };
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
 * new ones before they are stored) and a token source; `--signer-account` asks for its tokens
 * with the credentials and through the transport of the run's `registries`.
 */
export function readSignFlags(
  ctx: RunContext,
  trust: TrustSettings,
  registries: Registries,
): SignOptions | undefined {
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
  const token = runTokenSource(ctx, registries);
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
