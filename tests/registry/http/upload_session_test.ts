import assert from "node:assert/strict";
import { RegistryError } from "../../../src/registry/errors.ts";
import { UploadSession } from "../../../src/registry/http/upload_session.ts";

const POST = new URL("https://reg.test/v2/prod/foo/blobs/uploads/");
const REGISTRY = { base: "https://reg.test", repo: "prod/foo" };

function session(location: string | null, registry = REGISTRY): URL {
  return UploadSession.from(location, POST, registry, "upload").url;
}

Deno.test("UploadSession.from() accepts upload sessions of the repository on the registry's origin", () => {
  for (
    const [location, href] of [
      ["/v2/prod/foo/blobs/uploads/abc", "https://reg.test/v2/prod/foo/blobs/uploads/abc"],
      ["abc?_state=x%2By", "https://reg.test/v2/prod/foo/blobs/uploads/abc?_state=x%2By"],
      [
        "https://reg.test:443/v2/prod/foo/blobs/uploads/u-1#frag",
        "https://reg.test/v2/prod/foo/blobs/uploads/u-1",
      ],
      ["/v2/prod/bar/../foo/blobs/uploads/abc", "https://reg.test/v2/prod/foo/blobs/uploads/abc"],
    ] as const
  ) {
    assert.equal(session(location).href, href, location);
  }
});

Deno.test("UploadSession.from() accepts Artifact Registry's upload sessions on its own origin", () => {
  const ar = { base: "https://us-docker.pkg.dev", repo: "proj/images/foo" };
  const post = new URL("https://us-docker.pkg.dev/v2/proj/images/foo/blobs/uploads/");
  const from = (location: string) => UploadSession.from(location, post, ar, "upload").url.href;
  assert.equal(
    from("/artifacts-uploads/namespaces/proj/repositories/images/uploads/AbC123?upload_id=x"),
    "https://us-docker.pkg.dev/artifacts-uploads/namespaces/proj/repositories/images/uploads/AbC123?upload_id=x",
  );
  for (
    const bad of [
      "https://europe-docker.pkg.dev/artifacts-uploads/namespaces/p/repositories/r/uploads/x",
      "http://us-docker.pkg.dev/artifacts-uploads/namespaces/p/repositories/r/uploads/x",
      "/artifacts-uploads/",
      "/artifacts-uploads//x",
      "/artifacts-uploads/x%2F..%2F..%2Fv2%2Fproj%2Fimages%2Ffoo%2Fmanifests%2F1.0",
      "/artifacts-uploadsX/namespaces/p/uploads/x",
      "/api/v2.0/projects/p/repositories/r",
    ]
  ) {
    assert.throws(() => from(bad), RegistryError, bad);
  }
});

Deno.test("UploadSession.from() refuses every other place, naming why", () => {
  const cases: [string | null, RegExp][] = [
    [null, /sent no upload location/],
    ["", /sent no upload location/],
    ["http://reg.test/v2/prod/foo/blobs/uploads/abc", /on another origin \(http:\/\/reg\.test\)/],
    ["https://reg.test:8443/v2/prod/foo/blobs/uploads/abc", /on another origin/],
    [
      "https://evil.test/v2/prod/foo/blobs/uploads/abc",
      /on another origin \(https:\/\/evil\.test\)/,
    ],
    ["//evil.test/v2/prod/foo/blobs/uploads/abc", /on another origin/],
    ["/v2/prod/foo/manifests/sha256:00", /not an upload session of prod\/foo/],
    ["/v2/prod/foo/blobs/sha256:00", /not an upload session/],
    ["/v2/prod/other/blobs/uploads/abc", /not an upload session/],
    ["/v2/prod/foo/blobs/uploads/", /not an upload session/],
    ["/v2/prod/foo/blobs/uploads/a/manifests/1.0", /not an upload session/],
    ["/v2/prod/foo/blobs/uploads/a%2Fmanifests%2F1.0", /not an upload session/],
    ["/v2/prod/foo/blobs/uploads/a%5cb", /not an upload session/],
    ["/v2/prod/foo/blobs/uploads/%2e%2e", /not an upload session/],
    ["https://u:p@reg.test/v2/prod/foo/blobs/uploads/abc", /not an upload session/],
    ["http://[::1", /is not a URL/],
  ];
  for (const [location, why] of cases) {
    assert.throws(
      () => session(location),
      (e) =>
        e instanceof RegistryError && /^Cannot upload: /.test(e.message) && why.test(e.message),
      String(location),
    );
  }
});

Deno.test("an upload session's query values are redacted in the refusal", () => {
  assert.throws(
    () => session("/v2/prod/foo/manifests/x?sig=secret"),
    (e) => e instanceof Error && !e.message.includes("secret") && /sig=REDACTED/.test(e.message),
  );
});

Deno.test("commitUrl() adds the digest and keeps the session's query as sent", () => {
  const s = UploadSession.from("/v2/a/blobs/uploads/x?_state=ab%2Bc%3D&p=1", POST, {
    base: "https://reg.test",
    repo: "a",
  }, "upload");
  assert.equal(
    s.commitUrl("sha256:00").href,
    "https://reg.test/v2/a/blobs/uploads/x?_state=ab%2Bc%3D&p=1&digest=sha256%3A00",
  );
  const plain = UploadSession.from("/v2/a/blobs/uploads/u", POST, {
    base: "https://reg.test",
    repo: "a",
  }, "upload");
  assert.equal(plain.commitUrl("d").href, "https://reg.test/v2/a/blobs/uploads/u?digest=d");
});
