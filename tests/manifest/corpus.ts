/** The real thin manifest tree the tests read (testdata/corpus/README.md says where it is from). */
import { TESTDATA } from "./fixtures.ts";

/** The thin manifest directory of registry.k8s.io as of 2023. */
export const CORPUS_DIR = `${TESTDATA}corpus/registry.k8s.io-2023`;
