/** docs/security.md states the bounds the code keeps, and the README's summary agrees. */
import assert from "node:assert/strict";
import { DISCOVERY_LIMITS, MAX_ARTIFACT_BYTES, MAX_ENTRIES } from "../../src/attach/mod.ts";
import { MANIFEST_LIMIT } from "../../src/registry/http/backend.ts";
import { LAYOUT_FILE_LIMIT } from "../../src/registry/ocidir/layout.ts";
import { ANSWER_LIMIT } from "../../src/registry/auth/google_http.ts";
import { LISTING_LIMITS, MAX_IDLE_PAGES } from "../../src/registry/http/link.ts";
import {
  DEFAULT_DEADLINE_MS,
  DEFAULT_TIMEOUT_MS,
  MIN_BYTES_PER_SECOND,
} from "../../src/registry/transport/mod.ts";
import { MAX_REDIRECTS } from "../../src/registry/transport/redirect.ts";
import { CODE_LIMIT, ERROR_BODY_CAP } from "../../src/registry/transport/response_error.ts";
import {
  DEFAULT_MAX_ATTEMPTS,
  MAX_RETRY_AFTER_MS,
  MAX_STALLED_ATTEMPTS,
} from "../../src/registry/transport/retry_policy.ts";
import { TOKEN_ANSWER_LIMIT } from "../../src/registry/transport/token_request.ts";
import { OUTSIDE_TEXT_LIMIT } from "../../src/safe_text.ts";

const ROOT = new URL("../../", import.meta.url);
const doc = await Deno.readTextFile(new URL("docs/security.md", ROOT));
const readme = await Deno.readTextFile(new URL("README.md", ROOT));

const MIB = 1024 * 1024;
const n = (x: number) => x.toLocaleString("en-US");

/** The Bounds table row whose first cell starts with `what`. */
function row(what: string): string {
  const line = doc.split("\n").find((l) => l.startsWith(`| ${what}`));
  assert.ok(line, `docs/security.md has no bounds row for "${what}"`);
  return line;
}

Deno.test("docs/security.md's bounds are the code's", () => {
  assert.match(row("a manifest "), new RegExp(`\\| ${MANIFEST_LIMIT / MIB} MiB`));
  assert.match(row("an OCI layout's"), new RegExp(`\\| ${LAYOUT_FILE_LIMIT / MIB} MiB`));
  assert.match(row("an error answer"), new RegExp(`${ERROR_BODY_CAP / 1024} KiB`));
  assert.match(row("a registry token answer"), new RegExp(`${TOKEN_ANSWER_LIMIT / MIB} MiB`));
  assert.match(row("a Google credential answer"), new RegExp(`${ANSWER_LIMIT / MIB} MiB`));
  assert.match(row("a listing answer"), new RegExp(`${LISTING_LIMITS.bytes / MIB} MiB`));
  const pages = row("one paginated listing");
  assert.ok(pages.includes(`${n(LISTING_LIMITS.pages)} pages`), pages);
  assert.ok(pages.includes(`${n(LISTING_LIMITS.entries)} names`), pages);
  assert.ok(pages.includes(`${MAX_IDLE_PAGES} pages in a row`), pages);
  assert.ok(row("a walk through").includes(`${n(LISTING_LIMITS.repositories)} repositories`));
  const progress = row("progress of a request");
  assert.ok(progress.includes(`${DEFAULT_TIMEOUT_MS / 1000} s without progress`), progress);
  assert.equal(MAX_STALLED_ATTEMPTS, 2);
  assert.ok(progress.includes("tried twice"), progress);
  const attempt = row("one attempt of a request");
  assert.equal(DEFAULT_DEADLINE_MS, 2 * 60_000);
  assert.ok(attempt.includes("2 minutes"), attempt);
  assert.ok(attempt.includes(`1 s per ${MIN_BYTES_PER_SECOND / 1024} KiB`), attempt);
  const attempts = row("attempts");
  assert.ok(attempts.includes(`${DEFAULT_MAX_ATTEMPTS} for`), attempts);
  assert.ok(attempts.includes(`over ${MAX_RETRY_AFTER_MS / 60_000} minutes`), attempts);
  assert.ok(row("redirects").includes(`${MAX_REDIRECTS} hops`));
  const attached = row("what is attached");
  assert.ok(attached.includes(`${n(DISCOVERY_LIMITS.manifests)} attached manifests`), attached);
  assert.ok(attached.includes(`nested ${DISCOVERY_LIMITS.depth} deep`), attached);
  assert.ok(attached.includes(`${MAX_ARTIFACT_BYTES / MIB} MiB and ${n(MAX_ENTRIES)} entries`));
  assert.ok(doc.includes(`clipped to ${CODE_LIMIT} characters, messages to ${OUTSIDE_TEXT_LIMIT}`));
});

Deno.test("the README's security summary names the same bounds and links the details", () => {
  const start = readme.indexOf("\n## Security\n");
  assert.ok(start >= 0, "README has a Security section");
  const text = readme.slice(start, readme.indexOf("\n## ", start + 1));
  assert.ok(text.includes(`${LISTING_LIMITS.bytes / MIB} MiB`), text);
  assert.ok(text.includes(`${n(LISTING_LIMITS.pages)} pages`), text);
  assert.ok(text.includes(`${n(LISTING_LIMITS.entries)} names`), text);
  assert.ok(text.includes(`a second per ${MIN_BYTES_PER_SECOND / 1024} KiB`), text);
  assert.ok(text.includes("--timeout=DURATION"), text);
  assert.ok(text.includes("(docs/security.md)"), text);
});
