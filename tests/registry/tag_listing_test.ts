import assert from "node:assert/strict";
import { RegistryError } from "../../src/registry/errors.ts";
import { extensionNumber, parseTagPage } from "../../src/registry/tag_listing.ts";

const D1 = "sha256:" + "1".repeat(64);
const D2 = "sha256:" + "2".repeat(64);
const LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

Deno.test("extensionNumber() accepts numbers as strings (GCR) and integers (AR)", () => {
  assert.equal(extensionNumber("6843680"), 6843680);
  assert.equal(extensionNumber(6843680), 6843680);
  assert.equal(extensionNumber("0"), 0);
  assert.equal(extensionNumber("12abc"), undefined);
  assert.equal(extensionNumber(-1), undefined);
  assert.equal(extensionNumber(1.5), undefined);
  assert.equal(extensionNumber(null), undefined);
});

Deno.test("parseTagPage() reads a plain tag list without the extension", () => {
  assert.deepEqual(parseTagPage({ name: "a", tags: ["1", "2"] }, "a"), {
    tags: ["1", "2"],
    extension: false,
  });
  assert.deepEqual(parseTagPage({ name: "a", tags: null }, "a"), { tags: [], extension: false });
});

Deno.test("parseTagPage() reads the GCR extension with string numbers", () => {
  const page = parseTagPage({
    child: ["sub"],
    name: "p/a",
    tags: ["1.0"],
    manifest: {
      [D1]: { imageSizeBytes: "6843680", mediaType: "m", tag: ["1.0"], timeCreatedMs: "1" },
      [D2]: { imageSizeBytes: "0", mediaType: LIST, tag: [] },
    },
  }, "p/a");
  assert.equal(page.extension, true);
  assert.deepEqual(page.children, ["sub"]);
  assert.deepEqual(page.manifests?.get(D1), { tags: ["1.0"], mediaType: "m", size: 6843680 });
  assert.deepEqual(page.manifests?.get(D2), { tags: [], mediaType: LIST, size: 0 });
});

Deno.test("parseTagPage() reads the AR extension with integer numbers", () => {
  const page = parseTagPage({
    name: "p/a",
    tags: ["b", "a"],
    manifest: { [D1]: { imageSizeBytes: 1234, mediaType: "m", tag: ["b", "a"] } },
  }, "p/a");
  assert.equal(page.extension, true);
  assert.deepEqual(page.children, []);
  assert.deepEqual(page.manifests?.get(D1), { tags: ["a", "b"], mediaType: "m", size: 1234 });
});

Deno.test("parseTagPage() rejects answers of the wrong shape", () => {
  assert.throws(() => parseTagPage([], "a"), RegistryError);
  assert.throws(() => parseTagPage({ tags: [1] }, "a"), /not a list of strings/);
  assert.throws(() => parseTagPage({ tags: [], child: [3] }, "a"), /"child"/);
});
