import { equal } from "node:assert/strict";
import { redactText, redactUrl } from "../../../src/registry/transport/redact.ts";

Deno.test("redactUrl() hides query values except the registry API's harmless ones", () => {
  equal(
    redactUrl("https://storage.test/b/x?X-Goog-Signature=abc&X-Goog-Credential=def&n=10"),
    "https://storage.test/b/x?X-Goog-Signature=REDACTED&X-Goog-Credential=REDACTED&n=10",
  );
  equal(
    redactUrl("https://r.test/v2/a/blobs/uploads/?mount=sha256%3A1&from=b"),
    "https://r.test/v2/a/blobs/uploads/?mount=sha256%3A1&from=b",
  );
  equal(redactUrl("https://user:pw@r.test/v2/"), "https://r.test/v2/");
  equal(redactUrl("not a url"), "(unparsable URL)");
});

Deno.test("redactText() redacts every URL inside a message", () => {
  equal(
    redactText("error sending request for url (https://s.test/x?sig=SECRET): reset"),
    "error sending request for url (https://s.test/x?sig=REDACTED): reset",
  );
});
