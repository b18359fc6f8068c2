import assert from "node:assert/strict";
import { describe } from "../../src/cli/error_text.ts";

const wrapped: [string, Error, string][] = [
  [
    "an OS permission error",
    new Deno.errors.PermissionDenied("Permission denied (os error 13)"),
    "permission denied",
  ],
  [
    "a Deno permission error",
    new Deno.errors.NotCapable(
      'Requires read access to "m.yaml", run again with the --allow-read flag',
    ),
    "permission denied",
  ],
  [
    "a missing file",
    new Deno.errors.NotFound("No such file or directory (os error 2)"),
    "not found",
  ],
  ["a directory", new Deno.errors.IsADirectory("Is a directory (os error 21)"), "is a directory"],
  [
    "a symbolic link loop",
    new Deno.errors.FilesystemLoop(
      "Too many levels of symbolic links (os error 40): realpath 'm.yaml'",
    ),
    "Too many levels of symbolic links",
  ],
];

for (const [what, cause, reason] of wrapped) {
  Deno.test(`describe() says ${what} under a message naming the file as "${reason}"`, () => {
    const e = new Error("cannot read manifest m.yaml", { cause });
    assert.equal(describe(e), `cannot read manifest m.yaml: ${reason}`);
  });
}

Deno.test("describe() calls a bare Deno permission error a denied permission", () => {
  const e = new Deno.errors.NotCapable('Requires read access to "m.yaml"');
  assert.equal(describe(e), 'permission denied: Requires read access to "m.yaml"');
});

Deno.test("describe() keeps a bare OS error's own message, which names the file", () => {
  const e = new Deno.errors.NotFound("No such file or directory (os error 2): readfile 'm.yaml'");
  assert.equal(describe(e), "No such file or directory (os error 2): readfile 'm.yaml'");
});

Deno.test("describe() joins other causes and drops a repeated one", () => {
  const inner = new Error("connection refused");
  const e = new Error("cannot list tags of a/b", {
    cause: new Error("connection refused", { cause: inner }),
  });
  assert.equal(describe(e), "cannot list tags of a/b: connection refused");
});
