import assert from "node:assert/strict";
import {
  formatImageReference,
  isGoogleHost,
  isLoopbackHost,
  parseHostList,
  parseImageReference,
  registryBaseUrl,
  schemeFor,
} from "../../src/registry/reference.ts";

const D = "sha256:" + "a".repeat(64);

Deno.test("parseImageReference() reads host, repository, tag and digest", () => {
  const cases: [string, unknown][] = [
    ["gcr.io/proj/app:1.0", { host: "gcr.io", repository: "proj/app", tag: "1.0" }],
    [`gcr.io/proj/app@${D}`, { host: "gcr.io", repository: "proj/app", digest: D }],
    [`localhost:5000/a:v1@${D}`, { host: "localhost:5000", repository: "a", tag: "v1", digest: D }],
    ["127.0.0.1:5000/x/y", { host: "127.0.0.1:5000", repository: "x/y" }],
    ["[::1]:5000/x:t", { host: "[::1]:5000", repository: "x", tag: "t" }],
  ];
  for (const [text, want] of cases) assert.deepEqual(parseImageReference(text), want, text);
});

Deno.test("parseImageReference() rejects malformed references with a reason", () => {
  const cases: [string, RegExp][] = [
    ["app:1.0", /names no repository/],
    ["gcr.io/App:1", /not a valid repository/],
    ["gcr.io/app:-bad", /invalid tag: -bad/],
    ["gcr.io/app@sha256:abc", /invalid digest/],
    ["bad host/app:1", /not a valid host/],
  ];
  for (const [text, want] of cases) {
    const got = parseImageReference(text);
    assert.ok("error" in got, text);
    assert.match(got.error, want, text);
  }
});

Deno.test("formatImageReference() prints what parseImageReference() reads", () => {
  for (const text of ["gcr.io/p/a:1", `h:1/a@${D}`, `h/a/b:t@${D}`]) {
    const ref = parseImageReference(text);
    assert.ok(!("error" in ref));
    assert.equal(formatImageReference(ref), text);
  }
});

Deno.test("loopback hosts use http, everything else https unless listed insecure", () => {
  assert.equal(schemeFor("localhost:5000"), "http");
  assert.equal(schemeFor("127.0.0.1:5000"), "http");
  assert.equal(schemeFor("127.200.3.4"), "http");
  assert.equal(schemeFor("[::1]:5000"), "http");
  assert.equal(schemeFor("128.0.0.1:5000"), "https");
  assert.equal(schemeFor("127.0.0.1.example.com"), "https");
  assert.equal(schemeFor("gcr.io"), "https");
  assert.equal(schemeFor("reg.lan:5000", ["reg.lan:5000"]), "http");
  assert.equal(schemeFor("reg.lan:5000", ["reg.lan"]), "http");
  assert.equal(schemeFor("reg.lan:5000", ["other.lan"]), "https");
  assert.equal(registryBaseUrl("reg.lan", ["REG.LAN"]), "http://reg.lan");
  assert.equal(isLoopbackHost("127.0.0.300"), false);
});

Deno.test("isGoogleHost() knows gcr.io, its regions and Artifact Registry hosts", () => {
  for (
    const h of [
      "gcr.io",
      "us.gcr.io",
      "eu.gcr.io:443",
      "us-docker.pkg.dev",
      "europe-west1-docker.pkg.dev",
    ]
  ) {
    assert.ok(isGoogleHost(h), h);
  }
  for (const h of ["gcr.io.evil.com", "docker.pkg.dev", "registry.k8s.io", "notgcr.io"]) {
    assert.ok(!isGoogleHost(h), h);
  }
});

Deno.test("parseHostList() splits --insecure-registries and drops blanks", () => {
  assert.deepEqual(parseHostList(" a:5000, ,b "), ["a:5000", "b"]);
  assert.deepEqual(parseHostList(undefined), []);
});
