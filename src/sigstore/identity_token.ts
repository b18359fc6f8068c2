/**
 * Reading the claims of an OIDC identity token before it is sent to Fulcio: Fulcio checks its
 * signature; here it is checked only for shape and expiry, and for the subject the proof of
 * possession signs. Errors never include the token or its claims.
 */
import { TokenError } from "./errors.ts";

/** The claims keyless signing needs from a token. */
export interface TokenClaims {
  /** The `iss` claim. */
  issuer: string;
  /** What the proof of possession signs: the verified `email`, else `sub`. */
  subject: string;
  /** The `exp` claim in milliseconds since the epoch, when present. */
  expiresAt?: number;
}

function decodePart(part: string): unknown {
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const text = new TextDecoder().decode(Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)));
  return JSON.parse(text);
}

/** The claims of `token` from `source`; throws TokenError when it is malformed or expired at `now`. */
export function tokenClaims(token: string, source: string, now: number): TokenClaims {
  const parts = token.split(".");
  let claims: unknown;
  try {
    if (parts.length !== 3) throw new Error("parts");
    claims = decodePart(parts[1]!);
  } catch {
    throw new TokenError(source, "it is not a JSON Web Token");
  }
  if (typeof claims !== "object" || claims === null) {
    throw new TokenError(source, "it is not a JSON Web Token");
  }
  const c = claims as Record<string, unknown>;
  if (typeof c.iss !== "string" || c.iss === "") throw new TokenError(source, "it names no issuer");
  let subject: unknown = c.sub;
  if (c.email !== undefined) {
    if (c.email_verified !== true && c.email_verified !== "true") {
      throw new TokenError(source, "its e-mail address is not verified by the issuer");
    }
    subject = c.email;
  }
  if (typeof subject !== "string" || subject === "") {
    throw new TokenError(source, "it names no subject");
  }
  const out: TokenClaims = { issuer: c.iss, subject };
  if (typeof c.exp === "number") {
    out.expiresAt = c.exp * 1000;
    if (out.expiresAt <= now) {
      throw new TokenError(source, `it expired at ${new Date(out.expiresAt).toISOString()}`);
    }
  }
  return out;
}
