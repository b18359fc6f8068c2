/**
 * Trust: whether the images a run promotes are signed as their policies ask. It joins
 * attachments (src/attach: where signatures are) and signatures (src/sigstore: whether one
 * counts) for the promotion's trust gate (src/promote/trust_gate.ts) and the pre-submit check
 * `signatures` (src/checks/signatures.ts), which sit one layer above it; it reads registries
 * through the run's ContentReader and prints nothing.
 */
export {
  NO_POLICY,
  policyOf,
  stricterMode,
  type TrustSettings,
  trustSettingsProblems,
} from "./policy_of.ts";
export { attachmentReader, MAX_SIGNATURE_BLOB_BYTES, readSignatureBlob } from "./source.ts";
export { type ImageAt, type ImageTrust, trustProblem, verifyImage } from "./verify_image.ts";
export { verifyImageOrIndex } from "./covered.ts";
