import assert from "node:assert/strict";
import { RegistryError } from "../../../src/registry/errors.ts";
import { extensionNumber, parseTagPage } from "../../../src/registry/http/tag_page.ts";

const D1 = "sha256:" + "1".repeat(64);
const D2 = "sha256:" + "2".repeat(64);
const LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
const OCI = "application/vnd.oci.image.manifest.v1+json";

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
      [D1]: { imageSizeBytes: "6843680", mediaType: OCI, tag: ["1.0"], timeCreatedMs: "1" },
      [D2]: { imageSizeBytes: "0", mediaType: LIST, tag: [] },
    },
  }, "p/a");
  assert.equal(page.extension, true);
  assert.deepEqual(page.children, ["sub"]);
  assert.deepEqual(page.manifests?.get(D1), { tags: ["1.0"], mediaType: OCI, size: 6843680 });
  assert.deepEqual(page.manifests?.get(D2), { tags: [], mediaType: LIST, size: 0 });
});

Deno.test("parseTagPage() reads the AR extension with integer numbers", () => {
  const page = parseTagPage({
    name: "p/a",
    tags: ["b", "a"],
    manifest: { [D1]: { imageSizeBytes: 1234, mediaType: OCI, tag: ["b", "a"] } },
  }, "p/a");
  assert.equal(page.extension, true);
  assert.deepEqual(page.children, []);
  assert.deepEqual(page.manifests?.get(D1), { tags: ["a", "b"], mediaType: OCI, size: 1234 });
});

Deno.test("parseTagPage() rejects names that are not tags or repositories, escaping them", () => {
  for (
    const [body, field] of [
      [{ tags: ["1.0", "bad\x1b[2Jtag"] }, /"tags" holds "bad\\x1b\[2Jtag", which is not a tag/],
      [{ tags: ["-x"] }, /"tags" holds "-x"/],
      [{ tags: ["x".repeat(129)] }, /"tags" holds/],
      [{ child: ["a/b"] }, /"child" holds "a\/b", which is not a repository name below it/],
      [{ child: ["UP"] }, /"child" holds "UP"/],
      [{ child: ["x".repeat(300)] }, /"child" holds/],
      [
        { manifest: { [D1]: { tag: ["\n::add-mask::x"] } } },
        /holds "::add-mask::x", which is not a tag/,
      ],
    ] as const
  ) {
    assert.throws(
      () => parseTagPage(body, "p/a"),
      (e) => e instanceof RegistryError && field.test(e.message),
    );
  }
});

Deno.test("parseTagPage() ignores a media type that is not one", () => {
  const page = parseTagPage({
    manifest: { [D1]: { mediaType: "text/x\x1b[31m", tag: [] }, [D2]: { mediaType: OCI, tag: [] } },
  }, "p/a");
  assert.deepEqual(page.manifests?.get(D1), { tags: [] });
  assert.equal(page.manifests?.get(D2)?.mediaType, OCI);
});

Deno.test("parseTagPage() rejects answers of the wrong shape", () => {
  assert.throws(() => parseTagPage([], "a"), RegistryError);
  assert.throws(() => parseTagPage({ tags: [1] }, "a"), /not a list of strings/);
  assert.throws(() => parseTagPage({ tags: [], child: [3] }, "a"), /"child"/);
});
