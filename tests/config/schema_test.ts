import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/schema.ts";
import type { AzureUpstreamConfig, Config } from "../../src/config/types.ts";
import { ConfigError } from "../../src/core/errors.ts";

type Raw = Record<string, unknown>;

const UPSTREAM: Raw = {
  name: "azure-main",
  kind: "azure",
  endpoint: "https://my-resource.openai.azure.com",
  auth: { type: "api_key", key: "env:AZURE_OPENAI_API_KEY" },
  deployments: ["gpt-4o"],
};

/** A valid document with the first upstream's fields replaced by `upstream` and top-level keys by `rest`. */
function doc(upstream: Raw = {}, rest: Raw = {}): Raw {
  return { upstreams: [{ ...UPSTREAM, ...upstream }], ...rest };
}

function validate(raw: unknown): Config {
  return validateConfig(raw, "test.yaml", { hostname: () => "test-host" });
}

function issuesOf(raw: unknown): { path: string; message: string }[] {
  try {
    validate(raw);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
}

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
    return err;
  }
  assert.fail("expected a ConfigError, nothing was thrown");
}

/** Asserts exactly one issue at `path` and returns its message. */
function issueAt(raw: unknown, path: string): string {
  const issues = issuesOf(raw);
  const found = issues.filter((i) => i.path === path);
  assert.equal(found.length, 1, `expected one issue at ${path}, got ${JSON.stringify(issues)}`);
  return found[0]!.message;
}

Deno.test("validateConfig() fills every default of a minimal config", () => {
  const cfg = validate({ upstreams: [UPSTREAM] });
  assert.deepEqual(
    cfg,
    {
      server: {
        host: "127.0.0.1",
        port: 8787,
        maxBodyBytes: 10485760,
        dataDir: "./.azmw",
        timezone: "UTC",
        instance: "test-host",
        shutdownGraceMs: 30000,
        headerTimeoutMs: 30000,
        bodyIdleTimeoutMs: 30000,
        maxBufferedBodyBytes: 268435456,
        maxConnections: 10000,
      },
      auth: { required: true, keys: [] },
      upstreams: [{
        kind: "azure",
        name: "azure-main",
        endpoint: "https://my-resource.openai.azure.com",
        apiVersion: "2024-10-21",
        auth: { type: "api_key", key: "env:AZURE_OPENAI_API_KEY" },
        deployments: [{ name: "gpt-4o", model: "gpt-4o", aliases: [] }],
        timeouts: { firstByteMs: 60000, idleMs: 60000, totalMs: 600000 },
      }],
      models: [],
      routing: {
        retries: 2,
        backoffMs: 200,
        maxBackoffMs: 5000,
        breaker: { failures: 5, cooldownMs: 30000 },
      },
      logs: {
        dir: "./.azmw/logs",
        dirFromDataDir: true,
        bodies: true,
        keys: [],
        maxBodyBytes: 65536,
        retentionDays: 30,
        rotateBytes: 104857600,
        queueSize: 10000,
        queueBytes: 67108864,
        batchSize: 256,
        flushIntervalMs: 2,
        fsyncIntervalMs: 5000,
        thread: true,
        redact: { builtin: ["email", "phone", "iban", "credit_card", "api_key"], rules: [], dropPaths: [] },
        projects: [],
        callers: [],
      },
      manage: { cacheTtlMs: 1000 },
      policy: {},
      pricing: {
        currency: "EUR",
        asOf: "2026-12-04",
        defaults: true,
        models: {},
        fallback: { input: 129, cachedInput: 129, output: 516, cacheWrite: 161.25, cacheWrite1h: 258 },
      },
      budget: {
        alertThresholds: [0.8, 1],
        defaultMaxOutputTokens: 4096,
        reserve: { enforceMaxTokens: true, share: 0.01, minOutputTokens: 16 },
      },
      secrets: { ttlS: 300, keyVault: { credential: "default", url: "https://{vault}.vault.azure.net" } },
      shared: {},
      events: {
        bus: "memory",
        sinks: [],
        deadLetterDir: "./events/dead-letter",
        watchIntervalMs: 1000,
        redis: { prefix: "azmw:events:", maxLen: 1000000, claimIdleMs: 60000 },
      },
      source: "test.yaml",
    } satisfies Config,
  );
});

Deno.test("validateConfig() reads every server key", () => {
  const server = {
    host: "0.0.0.0",
    port: 9000,
    max_body_bytes: 1024,
    data_dir: "/var/lib/azmw",
    timezone: "Europe/Berlin",
    instance: "gw-1",
    shutdown_grace_ms: 5000,
    header_timeout_ms: 2000,
    body_idle_timeout_ms: 3000,
    max_buffered_body_bytes: 4096,
    max_connections: 50,
  };
  assert.deepEqual(validate(doc({}, { server })).server, {
    host: "0.0.0.0",
    port: 9000,
    maxBodyBytes: 1024,
    dataDir: "/var/lib/azmw",
    timezone: "Europe/Berlin",
    instance: "gw-1",
    shutdownGraceMs: 5000,
    headerTimeoutMs: 2000,
    bodyIdleTimeoutMs: 3000,
    maxBufferedBodyBytes: 4096,
    maxConnections: 50,
  });
});

Deno.test("validateConfig() refuses a body budget smaller than the largest body", () => {
  assert.equal(
    issueAt(
      doc({}, { server: { max_body_bytes: 2048, max_buffered_body_bytes: 2047 } }),
      "server.max_buffered_body_bytes",
    ),
    "must be at least server.max_body_bytes (2048), or a body that size could never be read",
  );
  assert.equal(
    validate(doc({}, { server: { max_body_bytes: 2048, max_buffered_body_bytes: 2048 } })).server
      .maxBufferedBodyBytes,
    2048,
  );
  const huge = 1024 * 1024 * 1024;
  assert.equal(
    validate(doc({}, { server: { max_body_bytes: huge } })).server.maxBufferedBodyBytes,
    huge,
    "the default grows to the largest body",
  );
});

Deno.test("validateConfig() names the path of a bad port", () => {
  assert.equal(
    issueAt(doc({}, { server: { port: "abc" } }), "server.port"),
    'expected an integer from 1 to 65535, got "abc"',
  );
  assert.equal(
    issueAt(doc({}, { server: { port: 70000 } }), "server.port"),
    "expected an integer from 1 to 65535, got 70000",
  );
  assert.match(issueAt(doc({}, { server: { port: 80.5 } }), "server.port"), /got 80\.5$/);
});

Deno.test("validateConfig() reports every problem in one ConfigError", () => {
  const raw = doc({ endpoint: "ftp://x" }, {
    server: { port: 0, timezone: "Mars/Base" },
    auth: { required: "yes" },
  });
  const err = thrown(() => validate(raw));
  assert.deepEqual(err.issues.map((i) => i.path), [
    "server.port",
    "server.timezone",
    "auth.required",
    "upstreams[0].endpoint",
  ]);
  assert.match(err.message, /^Invalid test\.yaml:\n/);
  assert.match(err.message, / {2}- server\.timezone: expected an IANA time zone/);
  assert.match(err.message, / {2}- auth\.required: expected true or false, got "yes"/);
});

Deno.test("validateConfig() names unknown keys", async (t) => {
  await t.step("a typo gets a suggestion", () => {
    assert.equal(
      issueAt(doc({}, { server: { prot: 1 } }), "server.prot"),
      'unknown key, did you mean "port"?',
    );
  });
  await t.step("at the top level", () => {
    assert.match(
      issueAt(doc({}, { logging: {} }), "logging"),
      /^unknown key, expected one of "server", "auth"/,
    );
  });
  await t.step("inside an upstream", () => {
    assert.match(issueAt(doc({ timeout: {} }), "upstreams[0].timeout"), /did you mean "timeouts"\?/);
    assert.match(
      issueAt(doc({ timeouts: { first_byte: 1 } }), "upstreams[0].timeouts.first_byte"),
      /unknown key/,
    );
  });
  await t.step("inside a deployment and an upstream auth", () => {
    assert.match(
      issueAt(doc({ deployments: [{ name: "a", alias: [] }] }), "upstreams[0].deployments[0].alias"),
      /aliases/,
    );
    const auth = { type: "api_key", key: "env:K", scope: "x" };
    assert.match(issueAt(doc({ auth }), "upstreams[0].auth.scope"), /unknown key/);
  });
  await t.step("inside a caller key", () => {
    const auth = { keys: [{ id: "a", key: "env:A", projects: "x" }] };
    assert.match(issueAt(doc({}, { auth }), "auth.keys[0].projects"), /did you mean "project"\?/);
  });
});

Deno.test("validateConfig() rejects a document that is not a mapping", () => {
  assert.equal(issueAt([1, 2], ""), "expected a mapping, got a list");
  assert.equal(issueAt("upstreams", ""), "expected a mapping, got a string");
});

Deno.test("validateConfig() treats empty sections as defaults", () => {
  const cfg = validate(doc({ timeouts: null }, { server: null, auth: { keys: null } }));
  assert.equal(cfg.server.port, 8787);
  assert.deepEqual(cfg.auth, { required: true, keys: [] });
  assert.equal(cfg.upstreams[0]!.timeouts.totalMs, 600000);
});

Deno.test("validateConfig() requires at least one upstream", () => {
  assert.equal(issueAt({}, "upstreams"), "required, expected a list of upstreams");
  assert.equal(issueAt({ upstreams: [] }, "upstreams"), "expected at least 1 entry, got 0");
  assert.equal(issueAt({ upstreams: {} }, "upstreams"), "expected a list, got a mapping");
});

Deno.test("validateConfig() checks upstream names", async (t) => {
  await t.step("pattern", () => {
    assert.match(issueAt(doc({ name: "Azure Main" }), "upstreams[0].name"), /a-z0-9_-.*got "Azure Main"/);
  });
  await t.step("required", () => {
    const { name: _, ...rest } = UPSTREAM;
    assert.match(issueAt({ upstreams: [rest] }, "upstreams[0].name"), /^required, expected/);
  });
  await t.step("unique", () => {
    const raw = { upstreams: [UPSTREAM, { ...UPSTREAM, deployments: ["other"] }] };
    assert.equal(
      issueAt(raw, "upstreams[1].name"),
      'duplicate upstream name "azure-main", already used at upstreams[0].name',
    );
  });
});

Deno.test("validateConfig() rejects an unknown upstream kind", () => {
  assert.equal(
    issueAt(doc({ kind: "bedrock" }), "upstreams[0].kind"),
    'expected one of "azure", "openai", "anthropic", got "bedrock"',
  );
  assert.match(issueAt(doc({ kind: undefined }), "upstreams[0].kind"), /^required/);
});

Deno.test("validateConfig() checks endpoints", async (t) => {
  await t.step("https with the trailing slash removed", () => {
    const cfg = validate(doc({ endpoint: "https://r.openai.azure.com/" }));
    assert.equal(cfg.upstreams[0]!.endpoint, "https://r.openai.azure.com");
  });
  await t.step("http only on loopback", () => {
    for (const url of ["http://localhost:8080/", "http://127.0.0.1:9", "http://[::1]:9/base/"]) {
      const endpoint = validate(doc({ endpoint: url })).upstreams[0]!.endpoint;
      assert.equal(endpoint, url.replace(/\/$/, ""));
    }
    assert.equal(
      issueAt(doc({ endpoint: "http://example.com" }), "upstreams[0].endpoint"),
      'expected an https URL (http only for localhost, 127.0.0.1 or ::1), got "http://example.com"',
    );
  });
  await t.step("not a URL", () => {
    assert.match(issueAt(doc({ endpoint: "my-resource" }), "upstreams[0].endpoint"), /got "my-resource"/);
  });
  await t.step("with user info or a query, not echoed", () => {
    for (
      const url of [
        "https://r.example?api-key=sk-123",
        "https://u:sk-123@r.example",
        "https://r.example/#sk-123",
      ]
    ) {
      assert.equal(
        issueAt(doc({ endpoint: url }), "upstreams[0].endpoint"),
        'expected an https URL (http only for localhost, 127.0.0.1 or ::1), got a URL with user info, a query or a fragment: write "https://r.example" (api-version goes under api_version, the key under auth)',
      );
    }
  });
});

Deno.test("validateConfig() checks api_version", () => {
  assert.equal(
    (validate(doc({ api_version: "2025-04-01-preview" })).upstreams[0] as AzureUpstreamConfig).apiVersion,
    "2025-04-01-preview",
  );
  assert.equal(
    issueAt(doc({ api_version: "v1" }), "upstreams[0].api_version"),
    'expected a date "YYYY-MM-DD" or "YYYY-MM-DD-preview", got "v1"',
  );
});

Deno.test("validateConfig() accepts bare-string deployments", () => {
  const deployments = ["text-embedding-3-small", {
    name: "gpt-4o-prod",
    model: "gpt-4o",
    aliases: ["gpt-4o-latest"],
  }];
  assert.deepEqual(validate(doc({ deployments })).upstreams[0]!.deployments, [
    { name: "text-embedding-3-small", model: "text-embedding-3-small", aliases: [] },
    { name: "gpt-4o-prod", model: "gpt-4o", aliases: ["gpt-4o-latest"] },
  ]);
});

Deno.test("validateConfig() checks deployments", async (t) => {
  await t.step("at least one", () => {
    assert.equal(
      issueAt(doc({ deployments: [] }), "upstreams[0].deployments"),
      "expected at least 1 entry, got 0 (or a models entry that targets this upstream)",
    );
  });
  await t.step("names", () => {
    assert.match(
      issueAt(doc({ deployments: ["has space"] }), "upstreams[0].deployments[0]"),
      /got "has space"/,
    );
    assert.match(
      issueAt(doc({ deployments: [{ name: "a/b" }] }), "upstreams[0].deployments[0].name"),
      /got "a\/b"/,
    );
    assert.match(
      issueAt(doc({ deployments: [{ model: "x" }] }), "upstreams[0].deployments[0].name"),
      /^required/,
    );
  });
  await t.step("aliases", () => {
    const deployments = [{ name: "a", aliases: "b" }];
    assert.equal(
      issueAt(doc({ deployments }), "upstreams[0].deployments[0].aliases"),
      "expected a list, got a string",
    );
    const spaced = [{ name: "a", aliases: ["ok", "not ok"] }];
    assert.match(
      issueAt(doc({ deployments: spaced }), "upstreams[0].deployments[0].aliases[1]"),
      /got "not ok"/,
    );
  });
});

Deno.test("validateConfig() rejects duplicate deployment names across upstreams", () => {
  const raw = {
    upstreams: [UPSTREAM, { ...UPSTREAM, name: "second", deployments: [{ name: "gpt-4o", model: "x" }] }],
  };
  assert.equal(
    issueAt(raw, "upstreams[1].deployments[0].name"),
    'duplicate deployment name "gpt-4o", already used at upstreams[0].deployments[0]',
  );
});

Deno.test("validateConfig() rejects duplicate public model names and aliases", async (t) => {
  await t.step("an alias equal to another model", () => {
    const second = { ...UPSTREAM, name: "second", deployments: [{ name: "b", aliases: ["gpt-4o"] }] };
    assert.equal(
      issueAt({ upstreams: [UPSTREAM, second] }, "upstreams[1].deployments[0].aliases[0]"),
      'duplicate public model name "gpt-4o", already used at upstreams[0].deployments[0]',
    );
  });
  await t.step("the same model on two deployments", () => {
    const deployments = [{ name: "a", model: "gpt-4o" }, { name: "b", model: "gpt-4o" }];
    assert.match(
      issueAt(doc({ deployments }), "upstreams[0].deployments[1].model"),
      /duplicate public model name/,
    );
  });
  await t.step("a model named like another deployment", () => {
    const deployments = ["a", { name: "b", model: "c", aliases: ["a"] }];
    assert.match(issueAt(doc({ deployments }), "upstreams[0].deployments[1].aliases[0]"), /already used at/);
  });
});

Deno.test("validateConfig() rejects literal secrets without echoing them", async (t) => {
  const literal = "sk-live-0123456789abcdef";
  const cases: [string, Raw][] = [
    ["upstreams[0].auth.key", doc({ auth: { type: "api_key", key: literal } })],
    [
      "upstreams[0].auth.client_secret",
      doc({
        auth: {
          type: "entra",
          credential: "client_secret",
          tenant_id: "t",
          client_id: "c",
          client_secret: literal,
        },
      }),
    ],
    ["auth.keys[0].key", doc({}, { auth: { keys: [{ id: "dev", key: literal }] } })],
  ];
  for (const [path, raw] of cases) {
    await t.step(path, () => {
      assert.equal(
        issueAt(raw, path),
        'expected a secret reference "env:NAME", "file:/path" or "kv://<vault>/<secret>" (literal secrets are not allowed), got a literal value',
      );
      const err = thrown(() => validate(raw));
      assert.ok(!err.message.includes(literal) && !JSON.stringify(err.issues).includes(literal));
    });
  }
  await t.step("a malformed reference or a number", () => {
    assert.match(
      issueAt(doc({ auth: { type: "api_key", key: "env:MY-KEY" } }), "upstreams[0].auth.key"),
      /got a malformed reference$/,
    );
    assert.match(
      issueAt(doc({ auth: { type: "api_key", key: 12345 } }), "upstreams[0].auth.key"),
      /got a number$/,
    );
    assert.match(issueAt(doc({ auth: literal }), "upstreams[0].auth"), /got a string$/);
  });
  await t.step("env: and file: references pass", () => {
    for (const key of ["env:AZURE_KEY", "file:/run/secrets/azure"]) {
      assert.deepEqual(validate(doc({ auth: { type: "api_key", key } })).upstreams[0]!.auth, {
        type: "api_key",
        key,
      });
    }
  });
});

Deno.test("validateConfig() checks upstream auth", async (t) => {
  await t.step("an unknown type", () => {
    assert.equal(
      issueAt(doc({ auth: { type: "oauth" } }), "upstreams[0].auth.type"),
      'expected one of "api_key", "entra", got "oauth"',
    );
    assert.match(issueAt(doc({ auth: { key: "env:K" } }), "upstreams[0].auth.type"), /^required/);
  });
  await t.step("api_key needs a key", () => {
    assert.match(
      issueAt(doc({ auth: { type: "api_key" } }), "upstreams[0].auth.key"),
      /^required, expected a secret reference/,
    );
  });
  await t.step("entra defaults", () => {
    assert.deepEqual(validate(doc({ auth: { type: "entra" } })).upstreams[0]!.auth, {
      type: "entra",
      credential: "default",
      scope: "https://cognitiveservices.azure.com/.default",
    });
  });
  await t.step("entra with every key", () => {
    const auth = {
      type: "entra",
      credential: "client_secret",
      tenant_id: "tenant",
      client_id: "client",
      client_secret: "env:AZURE_CLIENT_SECRET",
      scope: "api://x/.default",
    };
    assert.deepEqual(validate(doc({ auth })).upstreams[0]!.auth, {
      type: "entra",
      credential: "client_secret",
      tenantId: "tenant",
      clientId: "client",
      clientSecret: "env:AZURE_CLIENT_SECRET",
      scope: "api://x/.default",
    });
  });
  await t.step("an unknown credential", () => {
    assert.match(
      issueAt(doc({ auth: { type: "entra", credential: "cert" } }), "upstreams[0].auth.credential"),
      /"azure_cli", got "cert"/,
    );
  });
  await t.step("client_secret needs tenant_id, client_id and client_secret", () => {
    const issues = issuesOf(doc({ auth: { type: "entra", credential: "client_secret" } }));
    assert.deepEqual(
      issues,
      ["tenant_id", "client_id", "client_secret"].map((k) => ({
        path: `upstreams[0].auth.${k}`,
        message: 'required when credential is "client_secret"',
      })),
    );
  });
  await t.step("client_secret is only for the client_secret credential", () => {
    const auth = { type: "entra", credential: "managed_identity", client_id: "c", client_secret: "env:S" };
    assert.equal(
      issueAt(doc({ auth }), "upstreams[0].auth.client_secret"),
      'only used when credential is "client_secret"',
    );
  });
});

Deno.test("validateConfig() checks caller keys", async (t) => {
  const digest = "a".repeat(64);
  await t.step("key or sha256, with an optional project", () => {
    const keys = [{ id: "dev", key: "env:AZMW_KEY", project: "demo" }, {
      id: "ci",
      sha256: digest.toUpperCase(),
    }];
    assert.deepEqual(validate(doc({}, { auth: { required: false, keys } })).auth, {
      required: false,
      keys: [{ id: "dev", key: "env:AZMW_KEY", project: "demo" }, { id: "ci", sha256: digest }],
    });
  });
  await t.step("exactly one of key and sha256", () => {
    const both = { keys: [{ id: "a", key: "env:A", sha256: digest }] };
    assert.equal(
      issueAt(doc({}, { auth: both }), "auth.keys[0]"),
      'expected exactly one of "key" or "sha256", got both',
    );
    const neither = { keys: [{ id: "a" }] };
    assert.equal(
      issueAt(doc({}, { auth: neither }), "auth.keys[0]"),
      'expected exactly one of "key" or "sha256", got neither',
    );
  });
  await t.step("sha256 is 64 hex digits, never echoed", () => {
    const keys = [{ id: "a", sha256: "sk-my-real-key" }];
    assert.equal(
      issueAt(doc({}, { auth: { keys } }), "auth.keys[0].sha256"),
      "expected a SHA-256 digest of 64 hex digits, got a string of 14 characters",
    );
  });
  await t.step("ids are required and unique", () => {
    assert.match(issueAt(doc({}, { auth: { keys: [{ key: "env:A" }] } }), "auth.keys[0].id"), /^required/);
    const keys = [{ id: "a", key: "env:A" }, { id: "a", key: "env:B" }];
    assert.equal(
      issueAt(doc({}, { auth: { keys } }), "auth.keys[1].id"),
      'duplicate caller key id "a", already used at auth.keys[0].id',
    );
  });
});

Deno.test("validateConfig() checks the time zone with Intl", () => {
  assert.equal(
    validate(doc({}, { server: { timezone: "America/New_York" } })).server.timezone,
    "America/New_York",
  );
  assert.equal(
    issueAt(doc({}, { server: { timezone: "Mars/Base" } }), "server.timezone"),
    'expected an IANA time zone such as "Europe/Berlin", got "Mars/Base"',
  );
});

Deno.test("validateConfig() defaults the instance to the sanitised host name", () => {
  const cfg = validateConfig(doc(), "x.yaml", { hostname: () => "web.01 (prod)" });
  assert.equal(cfg.server.instance, "web-01--prod-");
  assert.equal(validateConfig(doc(), "x.yaml", { hostname: () => "" }).server.instance, "azmw");
  assert.equal(
    validateConfig(doc(), "x.yaml").server.instance,
    validateConfig(doc(), "y.yaml").server.instance,
  );
  assert.match(issueAt(doc({}, { server: { instance: "gw 1" } }), "server.instance"), /got "gw 1"/);
});

Deno.test("validateConfig() checks timeouts", () => {
  const timeouts = { first_byte_ms: 1000, idle_ms: 0, total_ms: 5000 };
  assert.deepEqual(validate(doc({ timeouts })).upstreams[0]!.timeouts, {
    firstByteMs: 1000,
    idleMs: 0,
    totalMs: 5000,
  });
  assert.equal(
    issueAt(doc({ timeouts: { idle_ms: -1 } }), "upstreams[0].timeouts.idle_ms"),
    "expected an integer from 0 to 86400000, got -1",
  );
});

Deno.test("validateConfig() checks the remaining server keys", () => {
  assert.match(issueAt(doc({}, { server: { host: "" } }), "server.host"), /got ""$/);
  assert.match(issueAt(doc({}, { server: { max_body_bytes: 0 } }), "server.max_body_bytes"), /from 1 to/);
  assert.match(issueAt(doc({}, { server: { data_dir: 5 } }), "server.data_dir"), /got 5$/);
  assert.match(issueAt(doc({}, { server: { port: null } }), "server.port"), /got null$/);
});
