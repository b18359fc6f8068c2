/**
 * The signed statement of a cosign image signature in a Sigstore bundle: a DSSE envelope of
 * type `application/vnd.in-toto+json` around an in-toto statement whose subject is the image
 * digest and whose predicate type is `https://sigstore.dev/cosign/sign/v1` (what cosign 3
 * writes for `cosign sign`), with an empty predicate.
 */

/** The in-toto statement types a signature may use. */
import { COSIGN_SIGN_PREDICATE, IN_TOTO_MEDIA_TYPE } from "../oci/mod.ts";
export const STATEMENT_TYPES: readonly string[] = [
  "https://in-toto.io/Statement/v1",
  "https://in-toto.io/Statement/v0.1",
];

/** The statement cosign signs for `digest` (`sha256:<hex>`), as JSON bytes. */
export function imageStatement(digest: string): Uint8Array {
  const [algorithm, hex] = digest.split(":");
  const statement = {
    _type: STATEMENT_TYPES[0],
    subject: [{ digest: { [algorithm!]: hex } }],
    predicateType: COSIGN_SIGN_PREDICATE,
    predicate: {},
  };
  return new TextEncoder().encode(JSON.stringify(statement));
}

/** What is wrong with a statement as a signature of `digest`. */
export type StatementProblem =
  | { kind: "not-a-signature"; message: string }
  | { kind: "not-this-image"; message: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Checks a DSSE payload as a signature of `digest`: an in-toto statement of one of
 * `predicateTypes` with a subject whose digest is the image's. Undefined when it is.
 */
export function statementProblem(
  payloadType: string,
  payload: Uint8Array,
  digest: string,
  predicateTypes: readonly string[],
): StatementProblem | undefined {
  const notSignature = (message: string) => ({ kind: "not-a-signature" as const, message });
  if (payloadType !== IN_TOTO_MEDIA_TYPE) {
    return notSignature(`its DSSE payload type is ${JSON.stringify(payloadType)}, not in-toto`);
  }
  let statement: unknown;
  try {
    statement = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return notSignature("its DSSE payload is not JSON");
  }
  if (!isRecord(statement) || !STATEMENT_TYPES.includes(String(statement._type))) {
    return notSignature("its DSSE payload is not an in-toto statement");
  }
  if (!predicateTypes.includes(String(statement.predicateType))) {
    return notSignature(
      `its predicate type ${JSON.stringify(statement.predicateType)} is not an image signature's`,
    );
  }
  const [algorithm, hex] = digest.split(":");
  const subjects = Array.isArray(statement.subject) ? statement.subject : [];
  const named = subjects.some((s) =>
    isRecord(s) && isRecord(s.digest) && s.digest[algorithm!] === hex
  );
  if (!named) return { kind: "not-this-image", message: `its statement does not name ${digest}` };
  return undefined;
}
