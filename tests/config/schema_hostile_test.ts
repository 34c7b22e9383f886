import assert from "node:assert/strict";
import { isLoopbackHost, unauthenticatedPublic, validateConfig } from "../../src/config/schema.ts";
import { ConfigError } from "../../src/server/errors.ts";

type Raw = Record<string, unknown>;

const UPSTREAM: Raw = {
  name: "azure-main",
  kind: "azure",
  endpoint: "https://contoso.openai.azure.com",
  auth: { type: "api_key", key: "env:AZURE_OPENAI_API_KEY" },
  deployments: ["gpt-4o"],
};

function issuesOf(raw: unknown): { path: string; message: string }[] {
  try {
    validateConfig(raw, "test.yaml", { hostname: () => "h" });
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
}

Deno.test("validateConfig() refuses an Azure endpoint with the API path and says what to write", () => {
  for (
    const [endpoint, base] of [
      [
        "https://contoso.openai.azure.com/openai/deployments/gpt-4o/chat/completions",
        "https://contoso.openai.azure.com",
      ],
      ["https://contoso.openai.azure.com/openai", "https://contoso.openai.azure.com"],
      ["https://apim.example.net/llm/openai/deployments/x", "https://apim.example.net/llm"],
    ]
  ) {
    const issues = issuesOf({ upstreams: [{ ...UPSTREAM, endpoint }] });
    assert.equal(issues.length, 1, endpoint);
    assert.equal(issues[0]!.path, "upstreams[0].endpoint");
    assert.match(issues[0]!.message, /without the API path/);
    assert.ok(issues[0]!.message.includes(`write "${base}"`), issues[0]!.message);
  }
  // A gateway in front of Azure (API Management) may have a path prefix of its own.
  assert.deepEqual(issuesOf({ upstreams: [{ ...UPSTREAM, endpoint: "https://apim.example.net/llm" }] }), []);
});

Deno.test("validateConfig() refuses an api_version date that does not exist", () => {
  const issues = issuesOf({ upstreams: [{ ...UPSTREAM, api_version: "2024-13-45" }] });
  assert.deepEqual(issues, [{
    path: "upstreams[0].api_version",
    message: 'expected a date that exists, got "2024-13-45"',
  }]);
  assert.deepEqual(issuesOf({ upstreams: [{ ...UPSTREAM, api_version: "2024-02-29-preview" }] }), []);
});

Deno.test("validateConfig() refuses auth.required: false on a public host unless allowed", () => {
  const issues = issuesOf({ server: { host: "0.0.0.0" }, auth: { required: false }, upstreams: [UPSTREAM] });
  assert.equal(issues.length, 1);
  assert.equal(issues[0]!.path, "auth.required");
  assert.match(issues[0]!.message, /"0\.0\.0\.0", which is not loopback/);
  assert.match(issues[0]!.message, /auth\.allow_unauthenticated_public: true/);
  assert.deepEqual(
    issuesOf({
      server: { host: "0.0.0.0" },
      auth: { required: false, allow_unauthenticated_public: true },
      upstreams: [UPSTREAM],
    }),
    [],
  );
  assert.deepEqual(
    issuesOf({ server: { host: "127.0.0.1" }, auth: { required: false }, upstreams: [UPSTREAM] }),
    [],
  );
  assert.deepEqual(issuesOf({ server: { host: "0.0.0.0" }, upstreams: [UPSTREAM] }), []);
});

Deno.test("isLoopbackHost() and unauthenticatedPublic()", () => {
  for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "LOCALHOST"]) {
    assert.ok(isLoopbackHost(h), h);
  }
  for (const h of ["0.0.0.0", "::", "10.0.0.1", "gw.example.com", "128.0.0.1"]) {
    assert.ok(!isLoopbackHost(h), h);
  }
  assert.equal(unauthenticatedPublic({ server: { host: "::" }, auth: { required: true } }), null);
  assert.match(unauthenticatedPublic({ server: { host: "::" }, auth: { required: false } })!, /not loopback/);
});

Deno.test("validateConfig() does not cascade a bad upstream kind into its model targets", () => {
  const issues = issuesOf({
    upstreams: [{ ...UPSTREAM, kind: "azur" }],
    models: { chat: { targets: [{ upstream: "azure-main", deployment: "gpt-4o" }] } },
  });
  assert.deepEqual(issues, [{
    path: "upstreams[0].kind",
    message: 'expected one of "azure", "openai", "anthropic", got "azur"',
  }]);
  const unknown = issuesOf({
    upstreams: [{ ...UPSTREAM, kind: "azur" }],
    models: { chat: { targets: [{ upstream: "other", deployment: "gpt-4o" }] } },
  });
  assert.deepEqual(unknown.map((i) => i.message), [
    'expected one of "azure", "openai", "anthropic", got "azur"',
    'unknown upstream "other", and no upstream is valid yet (fix the upstreams entries first)',
  ]);
});

Deno.test("validateConfig() bounds the connection keys of server", () => {
  const issues = issuesOf({
    server: { header_timeout_ms: 5, body_idle_timeout_ms: "x", max_connections: 0 },
    upstreams: [UPSTREAM],
  });
  assert.deepEqual(issues.map((i) => i.path), [
    "server.header_timeout_ms",
    "server.body_idle_timeout_ms",
    "server.max_connections",
  ]);
});

Deno.test("validateConfig() puts request logs under server.data_dir unless logs.dir is set", () => {
  const cfg = validateConfig({ server: { data_dir: "/var/lib/azmw/" }, upstreams: [UPSTREAM] }, "t", {
    hostname: () => "h",
  });
  assert.equal(cfg.logs.dir, "/var/lib/azmw/logs");
  assert.equal(cfg.logs.dirFromDataDir, true);
  const own = validateConfig({ logs: { dir: "./logs" }, upstreams: [UPSTREAM] }, "t", {
    hostname: () => "h",
  });
  assert.equal(own.logs.dir, "./logs");
  assert.equal(own.logs.dirFromDataDir, undefined);
});
