import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { embeddedConfig, loadConfig, parseConfigText, resolveCallerKeys } from "../../src/config/load.ts";
import { defaultLogsConfig, validateConfig } from "../../src/config/schema.ts";
import type { Config } from "../../src/config/types.ts";
import { ConfigError } from "../../src/core/errors.ts";

const EXAMPLE = new URL("../../config.example.yaml", import.meta.url);
const hostname = () => "test-host";

const MINIMAL = `
upstreams:
  - name: azure-main
    kind: azure
    endpoint: https://my-resource.openai.azure.com/
    api_version: 2024-10-21
    auth: { type: api_key, key: env:AZURE_OPENAI_API_KEY }
    deployments: [gpt-4o]
`;

async function rejected(fn: () => unknown): Promise<ConfigError> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
    return err;
  }
  assert.fail("expected a ConfigError, nothing was thrown");
}

function sha256(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

Deno.test("parseConfigText() turns snake_case YAML into a Config", () => {
  const cfg = parseConfigText(`server: { max_body_bytes: 2048 }\n${MINIMAL}`, "mem.yaml", { hostname });
  assert.equal(cfg.source, "mem.yaml");
  assert.equal(cfg.server.maxBodyBytes, 2048);
  assert.equal(cfg.server.instance, "test-host");
  assert.equal(cfg.upstreams[0]!.endpoint, "https://my-resource.openai.azure.com");
  assert.equal(cfg.upstreams[0]!.kind === "azure" && cfg.upstreams[0]!.apiVersion, "2024-10-21");
});

Deno.test("parseConfigText() reports a YAML syntax error with its line and column", async () => {
  const err = await rejected(() => parseConfigText("server:\n  port: 1\n  host: a: b\n", "bad.yaml"));
  assert.deepEqual(err.issues, [{
    path: "",
    message: "invalid YAML at line 3, column 9: Nested mappings are not allowed in compact mappings",
  }]);
  assert.match(err.message, /^Invalid bad\.yaml:\n {2}- \(root\): invalid YAML at line 3, column 9/);
  const unclosed = await rejected(() =>
    parseConfigText("server:\n  host: [a, b\nupstreams: []\n", "bad.yaml")
  );
  assert.match(unclosed.issues[0]!.message, /^invalid YAML at line 3, column 1: /);
});

Deno.test("parseConfigText() rejects a duplicate YAML key", async () => {
  const err = await rejected(() => parseConfigText("server:\n  port: 1\n  port: 2\n", "dup.yaml"));
  assert.match(err.issues[0]!.message, /^invalid YAML at line 3, column 3: Map keys must be unique/);
});

Deno.test("parseConfigText() rejects an empty file", async () => {
  for (const text of ["", "\n", "# only a comment\n"]) {
    const err = await rejected(() => parseConfigText(text, "empty.yaml"));
    assert.deepEqual(err.issues, [{
      path: "",
      message: 'the file is empty, expected a mapping with an "upstreams" list',
    }]);
  }
});

Deno.test("parseConfigText() passes validation errors through with their paths", async () => {
  const err = await rejected(() => parseConfigText(`server: { port: abc }\n${MINIMAL}`, "p.yaml"));
  assert.deepEqual(err.issues, [{
    path: "server.port",
    message: 'expected an integer from 1 to 65535, got "abc"',
  }]);
});

Deno.test("loadConfig() reads a file", async () => {
  const path = await Deno.makeTempFile({ suffix: ".yaml" });
  try {
    await Deno.writeTextFile(path, MINIMAL);
    const cfg = await loadConfig(path, { hostname });
    assert.equal(cfg.source, path);
    assert.equal(cfg.upstreams[0]!.name, "azure-main");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("loadConfig() names a missing file", async () => {
  const err = await rejected(() => loadConfig("/nonexistent/azmw.yaml"));
  assert.match(err.message, /^Invalid \/nonexistent\/azmw\.yaml:\n {2}- \(root\): the file does not exist$/);
});

Deno.test("loadConfig() uses injected deps", async () => {
  const cfg = await loadConfig("virtual.yaml", {
    readTextFile: () => Promise.resolve(MINIMAL),
    hostname: () => "h.1",
  });
  assert.equal(cfg.server.instance, "h-1");
});

Deno.test("config.example.yaml passes validation", async () => {
  const cfg = await loadConfig(EXAMPLE.pathname, { hostname });
  assert.equal(cfg.upstreams.length, 1);
  assert.deepEqual(cfg.upstreams[0]!.deployments.map((d) => d.model), ["gpt-4o", "text-embedding-3-small"]);
  assert.deepEqual(cfg.auth.keys, [{ id: "dev", key: "env:AZMW_KEY", project: "demo" }]);
});

Deno.test("config.example.yaml's commented entra upstream passes validation", async () => {
  const text = await Deno.readTextFile(EXAMPLE);
  // Uncomment the block that starts at "# - name: azure-entra" and runs while lines stay commented.
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith("  # - name: azure-entra"));
  assert.ok(start > 0);
  for (let i = start; i < lines.length && /^ {2}# [ -]/.test(lines[i]!); i++) {
    lines[i] = lines[i]!.replace(/^ {2}# /, "  ");
  }
  const cfg = parseConfigText(lines.join("\n"), "example", { hostname });
  assert.deepEqual(cfg.upstreams.map((u) => u.name), ["azure-entra", "azure-main"]);
  assert.deepEqual(cfg.upstreams[0]!.auth, {
    type: "entra",
    credential: "client_secret",
    tenantId: "00000000-0000-0000-0000-000000000000",
    clientId: "00000000-0000-0000-0000-000000000000",
    clientSecret: "env:AZURE_CLIENT_SECRET",
    scope: "https://cognitiveservices.azure.com/.default",
  });
});

Deno.test("config.example.yaml documents every key with a comment", async () => {
  const text = await Deno.readTextFile(EXAMPLE);
  // deno-fmt-ignore
  const keys = [
    "server", "host", "port", "max_body_bytes", "data_dir", "timezone", "instance", "max_buffered_body_bytes",
    "auth", "required", "keys", "id", "key", "sha256", "project",
    "upstreams", "name", "kind", "endpoint", "api_version", "type", "credential", "tenant_id", "client_id",
    "client_secret", "scope", "deployments", "model", "aliases", "timeouts", "first_byte_ms", "idle_ms", "total_ms",
  ];
  for (const key of keys) {
    const line = text.split("\n").find((l) => new RegExp(`^[\\s#-]*${key}:.*#`).test(l));
    assert.ok(line !== undefined, `config.example.yaml has no commented line for "${key}"`);
  }
  assert.doesNotMatch(text, /sk-|key: (?!env:|file:)\S/);
});

Deno.test("embeddedConfig() builds the no-config default", () => {
  const digest = "AB".repeat(32);
  const cfg = embeddedConfig({ mockUrl: "http://127.0.0.1:9999/", keySha256: digest, instance: "i" });
  assert.deepEqual(
    cfg,
    {
      server: {
        host: "127.0.0.1",
        port: 8787,
        maxBodyBytes: 10485760,
        dataDir: "./.azmw",
        timezone: "UTC",
        instance: "i",
        shutdownGraceMs: 30000,
        headerTimeoutMs: 30000,
        bodyIdleTimeoutMs: 30000,
        maxBufferedBodyBytes: 268435456,
        maxConnections: 10000,
      },
      auth: { required: true, keys: [{ id: "local", sha256: "ab".repeat(32) }] },
      upstreams: [{
        kind: "azure",
        name: "mock",
        endpoint: "http://127.0.0.1:9999",
        apiVersion: "2024-10-21",
        auth: { type: "api_key", key: "env:AZMW_MOCK_UPSTREAM_KEY" },
        deployments: [
          { name: "gpt-4o-mini", model: "gpt-4o-mini", aliases: ["gpt-4o"] },
          { name: "gpt-4.1", model: "gpt-4.1", aliases: [] },
          { name: "text-embedding-3-small", model: "text-embedding-3-small", aliases: [] },
        ],
        timeouts: { firstByteMs: 60000, idleMs: 60000, totalMs: 600000 },
      }],
      logs: { ...defaultLogsConfig(), keys: [{ key: "file:./.azmw/log_key" }] },
      source: "embedded",
    } satisfies Config,
  );
});

Deno.test("embeddedConfig() takes host, port and data dir", () => {
  const cfg = embeddedConfig({
    mockUrl: "http://localhost:1",
    keySha256: "0".repeat(64),
    host: "0.0.0.0",
    port: 9,
    dataDir: "/d",
  });
  assert.deepEqual([cfg.server.host, cfg.server.port, cfg.server.dataDir], ["0.0.0.0", 9, "/d"]);
  assert.deepEqual(cfg.logs.keys, [{ key: "file:/d/log_key" }]);
  assert.match(cfg.server.instance, /^[A-Za-z0-9_-]+$/);
});

Deno.test("resolveCallerKeys() hashes resolved keys and keeps given digests", async () => {
  const digest = "c".repeat(64);
  const cfg = validateConfig(
    {
      auth: { keys: [{ id: "dev", key: "env:AZMW_KEY", project: "demo" }, { id: "ci", sha256: digest }] },
      upstreams: [{
        name: "u",
        kind: "azure",
        endpoint: "https://x.example",
        auth: { type: "entra" },
        deployments: ["d"],
      }],
    },
    "k.yaml",
    { hostname },
  );
  const keys = await resolveCallerKeys(cfg, { env: (n) => n === "AZMW_KEY" ? "abc" : undefined });
  const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  assert.deepEqual(keys, [{ id: "dev", sha256: abc, project: "demo" }, { id: "ci", sha256: digest }]);
});

Deno.test("resolveCallerKeys() reports every unresolvable key without values", async () => {
  const cfg = validateConfig(
    {
      auth: { keys: [{ id: "a", key: "env:A_KEY" }, { id: "b", key: "file:/nonexistent/b" }] },
      upstreams: [{
        name: "u",
        kind: "azure",
        endpoint: "https://x.example",
        auth: { type: "entra" },
        deployments: ["d"],
      }],
    },
    "k.yaml",
    { hostname },
  );
  const err = await rejected(() => resolveCallerKeys(cfg, { env: () => undefined }));
  assert.deepEqual(err.issues, [
    { path: "auth.keys[0].key", message: 'environment variable "A_KEY" is not set' },
    { path: "auth.keys[1].key", message: 'file "/nonexistent/b" does not exist' },
  ]);
  assert.match(err.message, /^Invalid k\.yaml:/);
});

Deno.test("embeddedConfig() keys resolve to the given digest", async () => {
  const digest = sha256("local-key");
  const keys = await resolveCallerKeys(embeddedConfig({ mockUrl: "http://127.0.0.1:1", keySha256: digest }));
  assert.deepEqual(keys, [{ id: "local", sha256: digest }]);
});
