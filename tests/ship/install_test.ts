import assert from "node:assert/strict";
import { binaryName, type Target, TARGETS } from "../../.github/build/compile.ts";
import { sha256hex } from "../fixtures/images.ts";
import { runScript, serveReleases, sha256sums } from "./fake_release.ts";
import { pathExists } from "../fixtures/path_exists.ts";

const INSTALL = new URL("../../.github/action/install.sh", import.meta.url).pathname;
const REPO = "acme/cip";

/** Distinct bytes standing in for each target's binary. */
function fakeBinaries(): Map<string, Uint8Array> {
  const assets = new Map<string, Uint8Array>();
  for (const target of TARGETS) {
    assets.set(binaryName(target), new TextEncoder().encode(`#!/bin/sh\necho ${target}\n`));
  }
  return assets;
}

/** A release `tag` of REPO (or the latest release) with these assets and SHA256SUMS text. */
function releaseFiles(
  assets: Map<string, Uint8Array>,
  sums: string | undefined,
  tag = "v1.2.3",
): Map<string, Uint8Array> {
  const dir = tag === "latest"
    ? `/${REPO}/releases/latest/download`
    : `/${REPO}/releases/download/${tag}`;
  const files = new Map<string, Uint8Array>();
  for (const [name, bytes] of assets) files.set(`${dir}/${name}`, bytes);
  if (sums !== undefined) files.set(`${dir}/SHA256SUMS`, new TextEncoder().encode(sums));
  return files;
}

/** Runs install.sh against a fake release server; returns the result and the install dir. */
async function install(
  files: Map<string, Uint8Array>,
  env: Record<string, string>,
  shell = "sh",
) {
  const releases = serveReleases(files);
  const dir = await Deno.makeTempDir();
  try {
    const result = await runScript(INSTALL, {
      CIP_DOWNLOAD_BASE: releases.base,
      CIP_REPOSITORY: REPO,
      CIP_INSTALL_DIR: `${dir}/bin`,
      ...env,
    }, shell);
    return { ...result, dir, requested: releases.requested };
  } finally {
    await releases.close();
  }
}

Deno.test("install.sh installs the binary once it matches SHA256SUMS", async () => {
  const assets = fakeBinaries();
  const r = await install(releaseFiles(assets, sha256sums(assets)), {
    CIP_VERSION: "v1.2.3",
    CIP_TARGET: "x86_64-unknown-linux-gnu",
  });
  const path = `${r.dir}/bin/cip`;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${path}\n`);
  assert.deepEqual(await Deno.readFile(path), assets.get("cip-x86_64-unknown-linux-gnu"));
  assert.equal(((await Deno.stat(path)).mode ?? 0) & 0o111, 0o111);
  assert.match(r.stderr, /verified cip-x86_64-unknown-linux-gnu/);
  await Deno.remove(r.dir, { recursive: true });
});

Deno.test("install.sh writes the path output and the PATH entry for later steps", async () => {
  const assets = fakeBinaries();
  const files = await Deno.makeTempDir();
  const r = await install(releaseFiles(assets, sha256sums(assets)), {
    CIP_VERSION: "v1.2.3",
    CIP_TARGET: "aarch64-apple-darwin",
    GITHUB_OUTPUT: `${files}/output`,
    GITHUB_PATH: `${files}/path`,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await Deno.readTextFile(`${files}/output`), `path=${r.dir}/bin/cip\n`);
  assert.equal(await Deno.readTextFile(`${files}/path`), `${r.dir}/bin\n`);
  await Deno.remove(files, { recursive: true });
  await Deno.remove(r.dir, { recursive: true });
});

Deno.test("install.sh refuses a binary whose checksum differs from SHA256SUMS", async () => {
  const assets = fakeBinaries();
  const sums = sha256sums(assets);
  const tampered = new Map(assets);
  tampered.set("cip-x86_64-unknown-linux-gnu", new TextEncoder().encode("#!/bin/sh\nevil\n"));
  const r = await install(releaseFiles(tampered, sums), {
    CIP_VERSION: "v1.2.3",
    CIP_TARGET: "x86_64-unknown-linux-gnu",
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /checksum mismatch for cip-x86_64-unknown-linux-gnu/);
  assert.equal(r.stdout, "");
  assert.equal(await pathExists(`${r.dir}/bin/cip`), false);
  await Deno.remove(r.dir, { recursive: true });
});

Deno.test("install.sh fails when the release has no binary for the target", async () => {
  const assets = fakeBinaries();
  const sums = sha256sums(assets);
  assets.delete("cip-aarch64-unknown-linux-gnu");
  const r = await install(releaseFiles(assets, sums), {
    CIP_VERSION: "v1.2.3",
    CIP_TARGET: "aarch64-unknown-linux-gnu",
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /could not download .*\/cip-aarch64-unknown-linux-gnu/);
  assert.equal(await pathExists(`${r.dir}/bin/cip`), false);
  await Deno.remove(r.dir, { recursive: true });
});

Deno.test("install.sh fails when the release has no SHA256SUMS", async () => {
  const assets = fakeBinaries();
  const r = await install(releaseFiles(assets, undefined), {
    CIP_VERSION: "v1.2.3",
    CIP_TARGET: "x86_64-unknown-linux-gnu",
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /could not download .*\/SHA256SUMS/);
  assert.equal(await pathExists(`${r.dir}/bin/cip`), false);
  await Deno.remove(r.dir, { recursive: true });
});

Deno.test("install.sh fails when SHA256SUMS has no line for the binary", async () => {
  const assets = fakeBinaries();
  const listed = new Map(assets);
  listed.delete("cip-x86_64-apple-darwin");
  const r = await install(releaseFiles(assets, sha256sums(listed)), {
    CIP_VERSION: "v1.2.3",
    CIP_TARGET: "x86_64-apple-darwin",
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /SHA256SUMS of v1\.2\.3 has no entry for cip-x86_64-apple-darwin/);
  assert.equal(await pathExists(`${r.dir}/bin/cip`), false);
  await Deno.remove(r.dir, { recursive: true });
});

Deno.test("install.sh accepts SHA256SUMS lines in sha256sum's binary mode (*name)", async () => {
  const assets = fakeBinaries();
  const bytes = assets.get("cip-x86_64-unknown-linux-gnu")!;
  const sums = `${sha256hex(bytes).toUpperCase()} *cip-x86_64-unknown-linux-gnu\n`;
  const r = await install(releaseFiles(assets, sums), {
    CIP_VERSION: "v1.2.3",
    CIP_TARGET: "x86_64-unknown-linux-gnu",
  });
  assert.equal(r.code, 0, r.stderr);
  await Deno.remove(r.dir, { recursive: true });
});

const runners: [string, string, Target, string][] = [
  ["Linux", "X64", "x86_64-unknown-linux-gnu", "cip"],
  ["Linux", "ARM64", "aarch64-unknown-linux-gnu", "cip"],
  ["macOS", "X64", "x86_64-apple-darwin", "cip"],
  ["macOS", "ARM64", "aarch64-apple-darwin", "cip"],
  ["Windows", "X64", "x86_64-pc-windows-msvc", "cip.exe"],
];

for (const [os, arch, target, installed] of runners) {
  Deno.test(`install.sh picks the ${target} binary on a ${os} ${arch} runner`, async () => {
    const assets = fakeBinaries();
    const r = await install(releaseFiles(assets, sha256sums(assets)), {
      CIP_VERSION: "v1.2.3",
      RUNNER_OS: os,
      RUNNER_ARCH: arch,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${r.dir}/bin/${installed}\n`);
    assert.deepEqual(
      await Deno.readFile(`${r.dir}/bin/${installed}`),
      assets.get(binaryName(target)),
    );
    await Deno.remove(r.dir, { recursive: true });
  });
}

for (const [os, arch] of [["Windows", "ARM64"], ["Linux", "X86"], ["FreeBSD", "X64"]]) {
  Deno.test(`install.sh refuses a ${os} ${arch} runner, for which no binary exists`, async () => {
    const r = await install(new Map(), {
      CIP_VERSION: "v1.2.3",
      RUNNER_OS: os!,
      RUNNER_ARCH: arch!,
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no cip binary for/);
    assert.deepEqual(r.requested, []);
    await Deno.remove(r.dir, { recursive: true });
  });
}

const versions: [string, Record<string, string>, string][] = [
  ["the version input", { CIP_VERSION: "v2.0.0", CIP_ACTION_REF: "v1.2.3" }, "v2.0.0"],
  ["the action's ref when it is a release tag", { CIP_ACTION_REF: "v1.2.3" }, "v1.2.3"],
  ["the latest release for a major tag like v1", { CIP_ACTION_REF: "v1" }, "latest"],
  ["the latest release for a branch", { CIP_ACTION_REF: "main" }, "latest"],
  ["the latest release when there is no ref", {}, "latest"],
  ["the latest release when asked for", { CIP_VERSION: "latest" }, "latest"],
];

for (const [what, env, tag] of versions) {
  Deno.test(`install.sh downloads ${what}`, async () => {
    const assets = fakeBinaries();
    const r = await install(releaseFiles(assets, sha256sums(assets), tag), {
      CIP_TARGET: "x86_64-unknown-linux-gnu",
      ...env,
    });
    assert.equal(r.code, 0, r.stderr);
    const dir = tag === "latest" ? "latest/download" : `download/${tag}`;
    assert.deepEqual(r.requested, [
      `/${REPO}/releases/${dir}/SHA256SUMS`,
      `/${REPO}/releases/${dir}/cip-x86_64-unknown-linux-gnu`,
    ]);
    await Deno.remove(r.dir, { recursive: true });
  });
}

Deno.test("install.sh takes the repository from the action when no input names one", async () => {
  const assets = fakeBinaries();
  const r = await install(releaseFiles(assets, sha256sums(assets)), {
    CIP_REPOSITORY: "",
    CIP_ACTION_REPOSITORY: REPO,
    CIP_VERSION: "v1.2.3",
    CIP_TARGET: "x86_64-unknown-linux-gnu",
  });
  assert.equal(r.code, 0, r.stderr);
  await Deno.remove(r.dir, { recursive: true });
});

Deno.test("install.sh refuses to run without a repository", async () => {
  const r = await install(new Map(), { CIP_REPOSITORY: "", CIP_VERSION: "v1.2.3" });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no repository given/);
  await Deno.remove(r.dir, { recursive: true });
});

Deno.test("install.sh works under bash, as the action runs it", async () => {
  const assets = fakeBinaries();
  const r = await install(releaseFiles(assets, sha256sums(assets)), {
    CIP_VERSION: "v1.2.3",
    RUNNER_OS: "Linux",
    RUNNER_ARCH: "X64",
  }, "bash");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    await Deno.readFile(r.stdout.trimEnd()),
    assets.get("cip-x86_64-unknown-linux-gnu"),
  );
  await Deno.remove(r.dir, { recursive: true });
});
