import assert from "node:assert/strict";
import { fileReadReason } from "../../../src/registry/auth/options.ts";

Deno.test("fileReadReason() says in plain words why a credential file could not be read", () => {
  assert.equal(fileReadReason(new Deno.errors.NotFound("readfile '/x'")), "does not exist");
  assert.equal(fileReadReason(new Deno.errors.IsADirectory("os error 21")), "is a directory");
  assert.equal(
    fileReadReason(new Deno.errors.NotCapable('Requires read access to "/x", run again')),
    "permission denied",
  );
  assert.equal(
    fileReadReason(new Deno.errors.PermissionDenied("os error 13")),
    "permission denied",
  );
  assert.equal(fileReadReason(new Error("is not JSON")), "is not JSON");
});
