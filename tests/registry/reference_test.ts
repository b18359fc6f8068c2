import assert from "node:assert/strict";
import {
  isGoogleHost,
  isLoopbackHost,
  parseHostList,
  registryBaseUrl,
  schemeFor,
} from "../../src/registry/reference.ts";

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
