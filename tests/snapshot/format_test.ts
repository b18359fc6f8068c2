import assert from "node:assert/strict";
import { parse } from "yaml";
import { formatSnapshot, isOutputFormat, OUTPUT_FORMATS } from "../../src/snapshot/format.ts";
import { formatCsv } from "../../src/snapshot/csv.ts";
import { formatJson } from "../../src/snapshot/json.ts";
import type { Snapshot } from "../../src/snapshot/rows.ts";
import { formatYaml } from "../../src/snapshot/yaml.ts";

const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;

const snap: Snapshot = [
  {
    name: "foo",
    digests: [
      {
        digest: A,
        tags: ["1.0", "latest"],
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        size: 401,
      },
      { digest: B, tags: [] },
    ],
  },
  { name: "sub/bar", digests: [{ digest: B, tags: ["v2"], children: [A] }] },
];

Deno.test("formatYaml() writes the images.yaml format exactly", () => {
  assert.equal(
    formatYaml(snap),
    `- name: foo
  dmap:
    "${A}": ["1.0", "latest"]
    "${B}": []
- name: sub/bar
  dmap:
    "${B}": ["v2"]
`,
  );
});

Deno.test("formatYaml() output parses back to the same names, digests and tags", () => {
  const names = ["foo", "true", "null", "no", "123", "1.0", "0x1f", "2001-12-14", "a/b-c_d.e"];
  const images: Snapshot = names.map((name) => ({ name, digests: [{ digest: A, tags: ["1"] }] }));
  const parsed = parse(formatYaml(images)) as { name: unknown; dmap: unknown }[];
  assert.deepEqual(parsed, names.map((name) => ({ name, dmap: { [A]: ["1"] } })));
  const parsed11 = parse(formatYaml(images), { version: "1.1" }) as { name: unknown }[];
  assert.deepEqual(parsed11.map((i) => i.name), names);
});

Deno.test("formatYaml() quotes only names a YAML reader would not take as strings", () => {
  const images = ["9lives", "foo/bar", "yes"].map((name) => ({
    name,
    digests: [{ digest: A, tags: [] }],
  }));
  assert.deepEqual(
    formatYaml(images).split("\n").filter((l) => l.startsWith("- name: ")),
    ['- name: "9lives"', "- name: foo/bar", '- name: "yes"'],
  );
});

Deno.test("formatYaml() writes an empty snapshot as an empty list", () => {
  assert.equal(formatYaml([]), "[]\n");
  assert.deepEqual(parse(formatYaml([])), []);
});

Deno.test("formatCsv() writes one line per tag and - for a tagless digest, no header", () => {
  assert.equal(
    formatCsv(snap),
    `foo@${A},foo:1.0\nfoo@${A},foo:latest\nfoo@${B},-\nsub/bar@${B},sub/bar:v2\n`,
  );
  assert.equal(formatCsv([]), "");
});

Deno.test("formatJson() carries media type and size where known and nothing else extra", () => {
  assert.deepEqual(JSON.parse(formatJson(snap)), [
    {
      name: "foo",
      digests: [
        {
          digest: A,
          tags: ["1.0", "latest"],
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          size: 401,
        },
        { digest: B, tags: [] },
      ],
    },
    { name: "sub/bar", digests: [{ digest: B, tags: ["v2"] }] },
  ]);
  assert.ok(formatJson(snap).endsWith("]\n"));
  assert.equal(formatJson([]), "[]\n");
});

Deno.test("formatSnapshot() dispatches on every format and isOutputFormat() knows them", () => {
  assert.deepEqual(OUTPUT_FORMATS, ["yaml", "csv", "json"]);
  assert.equal(formatSnapshot(snap, "yaml"), formatYaml(snap));
  assert.equal(formatSnapshot(snap, "csv"), formatCsv(snap));
  assert.equal(formatSnapshot(snap, "json"), formatJson(snap));
  assert.ok(isOutputFormat("csv"));
  assert.ok(!isOutputFormat("YAML"));
  assert.ok(!isOutputFormat("table"));
});
