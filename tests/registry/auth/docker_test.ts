import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { Logger } from "../../../src/log.ts";
import {
  CredentialError,
  type CredentialOptions,
  credentialsFor,
  type RunProgram,
  verify,
} from "../../../src/registry/auth/mod.ts";

const b64 = (s: string) => btoa(s);

/** Options with fake files, environment and helper runner. */
function opts(
  files: Record<string, unknown>,
  env: Record<string, string>,
  runHelper?: RunProgram,
): CredentialOptions {
  return {
    keyFiles: [],
    env: (n) => env[n],
    fetch: () => Promise.reject(new Error("no network in docker credential tests")),
    now: Date.now,
    log: new Logger("error", () => {}),
    readFile: (p) =>
      p in files
        ? Promise.resolve(
          typeof files[p] === "string" ? files[p] as string : JSON.stringify(files[p]),
        )
        : Promise.reject(new Deno.errors.NotFound(p)),
    ...(runHelper ? { runHelper } : {}),
  };
}

Deno.test("docker config: auths.<host>.auth gives Basic credentials", async () => {
  const o = opts(
    { "/d/config.json": { auths: { "reg.example:5000": { auth: b64("ci:pa:ss") } } } },
    {
      DOCKER_CONFIG: "/d",
    },
  );
  const p = credentialsFor("reg.example:5000", o);
  deepEqual(await p.basic("reg.example:5000"), { username: "ci", password: "pa:ss" });
  equal(p.describe(), "/d/config.json (user ci)");
});

Deno.test("docker config: a host's password and identity token are given to that host only", async () => {
  const o = opts({
    "/d/config.json": {
      auths: {
        "reg.example:5000": { auth: b64("ci:pw") },
        "id.example": { identitytoken: "refresh-secret" },
      },
    },
  }, { DOCKER_CONFIG: "/d" });
  const p = credentialsFor("reg.example:5000", o);
  const q = credentialsFor("id.example", o);
  for (const other of ["evil.test", "reg.example", "reg.example:5001", "127.0.0.2:5000"]) {
    equal(await p.basic(other), null, other);
    equal(await q.identityToken?.(other), null, other);
  }
  deepEqual(await p.basic("REG.example:5000"), { username: "ci", password: "pw" });
  equal(await q.identityToken?.("id.example"), "refresh-secret");
});

Deno.test("docker config: ~/.docker/config.json when DOCKER_CONFIG is unset; keys may be URLs", async () => {
  const o = opts({
    "/home/u/.docker/config.json": { auths: { "https://reg.example/v1/": { auth: b64("a:b") } } },
  }, { HOME: "/home/u" });
  deepEqual(await credentialsFor("reg.example", o).basic("reg.example"), {
    username: "a",
    password: "b",
  });
});

Deno.test("docker config: %USERPROFILE%\\.docker\\config.json on Windows, where HOME is unset", async () => {
  const o = opts({
    "C:/Users/u/.docker/config.json": { auths: { "reg.example": { auth: b64("w:x") } } },
  }, { USERPROFILE: "C:/Users/u" });
  deepEqual(await credentialsFor("reg.example", o).basic("reg.example"), {
    username: "w",
    password: "x",
  });
});

Deno.test("docker config: Docker Hub's historical key serves docker.io hosts", async () => {
  const o = opts({
    "/d/config.json": { auths: { "https://index.docker.io/v1/": { auth: b64("hub:pw") } } },
  }, { DOCKER_CONFIG: "/d" });
  deepEqual(await credentialsFor("registry-1.docker.io", o).basic("registry-1.docker.io"), {
    username: "hub",
    password: "pw",
  });
});

Deno.test("docker config: identitytoken is offered as an identity token, not Basic", async () => {
  const o = opts({ "/d/config.json": { auths: { "r.test": { identitytoken: "idt" } } } }, {
    DOCKER_CONFIG: "/d",
  });
  const p = credentialsFor("r.test", o);
  equal(await p.identityToken!("r.test"), "idt");
  equal(await p.basic("r.test"), null);
});

Deno.test("docker config: credHelpers[host] runs docker-credential-<name> get with the host", async () => {
  const calls: [string, string[], string][] = [];
  const run: RunProgram = (program, args, input) => {
    calls.push([program, args, input]);
    return Promise.resolve({
      code: 0,
      stdout: JSON.stringify({ ServerURL: input, Username: "helper-user", Secret: "helper-pw" }),
      stderr: "",
    });
  };
  const o = opts({ "/d/config.json": { credHelpers: { "r.test": "test" }, credsStore: "other" } }, {
    DOCKER_CONFIG: "/d",
  }, run);
  const p = credentialsFor("r.test", o);
  deepEqual(await p.basic("r.test"), { username: "helper-user", password: "helper-pw" });
  deepEqual(calls, [["docker-credential-test", ["get"], "r.test"]]);
  ok(!p.describe().includes("helper-pw"));
});

Deno.test("docker config: credsStore is asked for hosts without a credHelpers entry", async () => {
  const run: RunProgram = () =>
    Promise.resolve({
      code: 0,
      stdout: '{"Username":"<token>","Secret":"idt-from-store"}',
      stderr: "",
    });
  const o = opts({ "/d/config.json": { credsStore: "desktop" } }, { DOCKER_CONFIG: "/d" }, run);
  equal(await credentialsFor("r.test", o).identityToken!("r.test"), "idt-from-store");
});

Deno.test("docker config: a helper without credentials for the host falls through to podman's file", async () => {
  const run: RunProgram = () =>
    Promise.resolve({ code: 1, stdout: "credentials not found in native keychain\n", stderr: "" });
  const o = opts(
    {
      "/d/config.json": { credsStore: "desktop" },
      "/run/user/1/containers/auth.json": { auths: { "r.test": { auth: b64("pod:man") } } },
    },
    { DOCKER_CONFIG: "/d", XDG_RUNTIME_DIR: "/run/user/1" },
    run,
  );
  deepEqual(await credentialsFor("r.test", o).basic("r.test"), {
    username: "pod",
    password: "man",
  });
});

Deno.test("docker config: a failing helper is an error naming the helper", async () => {
  const run: RunProgram = () =>
    Promise.resolve({ code: 3, stdout: "", stderr: "keychain locked\n" });
  const o = opts({ "/d/config.json": { credHelpers: { "r.test": "test" } } }, {
    DOCKER_CONFIG: "/d",
  }, run);
  await rejects(verify(credentialsFor("r.test", o)), (e) => {
    ok(e instanceof CredentialError);
    ok(
      e.message.includes("docker-credential-test get: failed with exit code 3: keychain locked"),
      e.message,
    );
    return true;
  });
});

Deno.test("docker config: a helper name with a path in it is refused", async () => {
  const o = opts({ "/d/config.json": { credHelpers: { "r.test": "../evil" } } }, {
    DOCKER_CONFIG: "/d",
  });
  await rejects(verify(credentialsFor("r.test", o)), CredentialError);
});

Deno.test("podman: REGISTRY_AUTH_FILE is read after docker's config", async () => {
  const o = opts({
    "/d/config.json": { auths: { "other.test": { auth: b64("x:y") } } },
    "/p/auth.json": { auths: { "r.test": { auth: b64("p:q") } } },
  }, { DOCKER_CONFIG: "/d", REGISTRY_AUTH_FILE: "/p/auth.json" });
  const p = credentialsFor("r.test", o);
  deepEqual(await p.basic("r.test"), { username: "p", password: "q" });
  equal(p.describe(), "/p/auth.json (user p)");
});

Deno.test("docker config: no entry anywhere means anonymous", async () => {
  const o = opts({ "/d/config.json": { auths: {} } }, { DOCKER_CONFIG: "/d", HOME: "/h" });
  const p = credentialsFor("r.test", o);
  equal(await p.basic("r.test"), null);
  equal(await p.identityToken!("r.test"), null);
  ok(p.describe().startsWith("anonymous"), p.describe());
});

Deno.test("docker config: a malformed file is an error, not silent anonymity", async () => {
  for (const bad of ["{oops", "[1]"]) {
    const o = opts({ "/d/config.json": bad }, { DOCKER_CONFIG: "/d" });
    await rejects(verify(credentialsFor("r.test", o)), (e) => {
      ok(e instanceof CredentialError);
      ok(e.message.includes("/d/config.json"), e.message);
      return true;
    });
  }
  const o = opts({ "/d/config.json": { auths: { "r.test": { auth: "!!!" } } } }, {
    DOCKER_CONFIG: "/d",
  });
  await rejects(verify(credentialsFor("r.test", o)), CredentialError);
});
