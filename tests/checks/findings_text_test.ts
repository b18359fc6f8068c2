import assert from "node:assert/strict";
import { checksSummary, formatAnnotation, formatFinding } from "../../src/checks/mod.ts";

Deno.test("formatAnnotation() writes an error command with file, line and title", () => {
  const line = formatAnnotation({
    check: "tag-move",
    severity: "error",
    message: "tag foo:1.0 would move",
    file: "k8s/images/a/images.yaml",
    line: 7,
  });
  assert.equal(
    line,
    "::error file=k8s/images/a/images.yaml,line=7,title=cip tag-move::tag foo:1.0 would move",
  );
});

Deno.test("formatAnnotation() writes a warning without file or line when the finding has none", () => {
  const line = formatAnnotation({ check: "promotes-nothing", severity: "warning", message: "x" });
  assert.equal(line, "::warning title=cip promotes-nothing::x");
});

Deno.test("formatAnnotation() maps the file to its repository path", () => {
  const line = formatAnnotation(
    { check: "c", severity: "error", message: "m", file: "a.yaml", line: 1 },
    (f) => `sub/${f}`,
  );
  assert.match(line, /^::error file=sub\/a\.yaml,line=1,/);
});

Deno.test("annotations escape %, newlines, and in properties : and ,", () => {
  assert.equal(
    formatAnnotation({ check: "c:/x,y%z", severity: "warning", message: "50%\r\nnext: a, b" }),
    "::warning title=cip c%3A/x%2Cy%25z::50%25%0D%0Anext: a, b",
  );
  const line = formatAnnotation({
    check: "c",
    severity: "error",
    message: "two\nlines",
    file: "dir,with:odd.yaml",
  });
  assert.equal(line, "::error file=dir%2Cwith%3Aodd.yaml,title=cip c::two%0Alines");
});

Deno.test("formatFinding() puts file and line first and the check last", () => {
  assert.equal(
    formatFinding({ check: "c", severity: "error", message: "m", file: "f.yaml", line: 3 }),
    "f.yaml:3: m [c]",
  );
  assert.equal(formatFinding({ check: "c", severity: "warning", message: "m" }), "m [c]");
});

Deno.test("checksSummary() names the checks that ran and counts skips, errors and warnings", () => {
  const warning = { check: "b", severity: "warning" as const, message: "w" };
  const error = { check: "a", severity: "error" as const, message: "e" };
  assert.equal(
    checksSummary({ ran: ["a", "b"], skipped: [], findings: [error, warning, warning] }),
    "checks: 2 ran (a, b), 1 error, 2 warnings",
  );
  assert.equal(
    checksSummary({ ran: [], skipped: [{ check: "c", needs: "x" }], findings: [] }),
    "checks: 0 ran (none), 1 skipped (why: --log-level=debug), 0 errors, 0 warnings",
  );
});
