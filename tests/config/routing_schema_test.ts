import assert from "node:assert/strict";
import { parseConfigText } from "../../src/config/load.ts";
import { validateConfig } from "../../src/config/schema.ts";
import { secretRefs } from "../../src/config/secrets.ts";
import type { Config } from "../../src/config/types.ts";
import { ConfigError } from "../../src/core/errors.ts";

type Raw = Record<string, unknown>;
const AZURE: Raw = {
  name: "azure-main",
  kind: "azure",
  endpoint: "https://r.openai.azure.com",
  auth: { type: "api_key", key: "env:K" },
  deployments: ["gpt-4o"],
};
const OPENAI: Raw = {
  name: "ollama",
  kind: "openai",
  base_url: "http://gpu-box:11434/v1/",
  deployments: ["llama3.1:8b"],
};
const CLAUDE: Raw = {
  name: "claude",
  kind: "anthropic",
  auth: { type: "api_key", key: "env:A" },
  deployments: [{ name: "claude-sonnet-4-5", model: "claude" }],
};

const validate = (raw: Raw): Config => validateConfig(raw, "t.yaml", { hostname: () => "h" });
function issues(raw: Raw): { path: string; message: string }[] {
  try {
    validate(raw);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
}
const EXAMPLE = new URL("../../config.example.yaml", import.meta.url);

Deno.test("validateConfig() reads openai and anthropic upstreams with their defaults", () => {
  const cfg = validate({ upstreams: [AZURE, OPENAI, CLAUDE] });
  assert.deepEqual(cfg.upstreams[1], {
    name: "ollama",
    kind: "openai",
    endpoint: "http://gpu-box:11434/v1",
    auth: { type: "none" },
    headers: {},
    streamUsage: true,
    deployments: [{ name: "llama3.1:8b", model: "llama3.1:8b", aliases: [] }],
    timeouts: { firstByteMs: 60000, idleMs: 60000, totalMs: 600000 },
  });
  assert.deepEqual(cfg.upstreams[2], {
    name: "claude",
    kind: "anthropic",
    endpoint: "https://api.anthropic.com",
    auth: { type: "api_key", key: "env:A" },
    anthropicVersion: "2023-06-01",
    defaultMaxTokens: 4096,
    headers: {},
    deployments: [{ name: "claude-sonnet-4-5", model: "claude", aliases: [] }],
    timeouts: { firstByteMs: 60000, idleMs: 60000, totalMs: 600000 },
  });
  assert.deepEqual(secretRefs(cfg).map((r) => r.path), ["upstreams[0].auth.key", "upstreams[2].auth.key"]);
});

Deno.test("validateConfig() checks the new upstream keys", () => {
  const at = (raw: Raw) => issues(raw).map((i) => `${i.path}: ${i.message}`);
  assert.match(
    at({ upstreams: [{ ...OPENAI, auth: { type: "bearer", key: "env:O" } }] })[0]!,
    /^upstreams\[0\]\.base_url: expected an https URL .* when a key is sent/,
  );
  assert.deepEqual(
    validate({
      upstreams: [{
        ...OPENAI,
        base_url: "http://localhost:1234/v1",
        auth: { type: "bearer", key: "env:O" },
      }],
    }).upstreams[0]!.endpoint,
    "http://localhost:1234/v1",
  );
  assert.match(
    at({ upstreams: [{ ...OPENAI, base_url: "ftp://x" }] })[0]!,
    /base_url: expected an http or https URL/,
  );
  assert.match(
    at({ upstreams: [{ ...OPENAI, headers: { Authorization: "x" } }] })[0]!,
    /headers\.Authorization: is set by the gateway/,
  );
  assert.match(
    at({ upstreams: [{ ...OPENAI, headers: { "bad name": "x" } }] })[0]!,
    /expected an HTTP header name/,
  );
  assert.deepEqual(
    validate({ upstreams: [{ ...OPENAI, headers: { "X-Title": "azmw" } }] }).upstreams[0]!.kind ===
        "openai" &&
      (validate({ upstreams: [{ ...OPENAI, headers: { "X-Title": "azmw" } }] }).upstreams[0] as {
        headers: unknown;
      }).headers,
    {
      "x-title": "azmw",
    },
  );
  assert.match(
    at({ upstreams: [{ ...CLAUDE, auth: { type: "bearer", key: "env:A" } }] })[0]!,
    /auth\.type: expected one of "api_key"/,
  );
  assert.match(
    at({ upstreams: [{ ...CLAUDE, anthropic_version: "latest" }] })[0]!,
    /anthropic_version: expected a date/,
  );
  assert.match(
    at({ upstreams: [{ ...CLAUDE, base_url: "http://api.anthropic.com" }] })[0]!,
    /base_url: expected an https URL/,
  );
  assert.match(
    at({ upstreams: [{ ...AZURE, pool: { max_idle_per_host: -1 } }] })[0]!,
    /pool\.max_idle_per_host: expected an integer/,
  );
  assert.deepEqual(
    validate({ upstreams: [{ ...AZURE, pool: {}, routing: { retries: 0, breaker: { failures: 1 } } }] })
      .upstreams[0],
    {
      ...validate({ upstreams: [AZURE] }).upstreams[0],
      pool: { maxIdlePerHost: 64, idleTimeoutMs: 90000 },
      routing: { retries: 0, breaker: { failures: 1 } },
    },
  );
});

Deno.test("validateConfig() reads models and routing", () => {
  const cfg = validate({
    upstreams: [{ ...AZURE, deployments: [] }, CLAUDE],
    models: {
      "gpt-4o": {
        strategy: "weighted",
        aliases: ["best"],
        targets: [
          { upstream: "azure-main", deployment: "gpt-4o", weight: 3 },
          { upstream: "claude", model: "claude-sonnet-4-5", priority: 1 },
        ],
      },
    },
    routing: { retries: 1, breaker: { cooldown_ms: 1000 } },
  });
  assert.deepEqual(cfg.models, [{
    name: "gpt-4o",
    strategy: "weighted",
    aliases: ["best"],
    targets: [
      { upstream: "azure-main", deployment: "gpt-4o", weight: 3, priority: 0 },
      { upstream: "claude", deployment: "claude-sonnet-4-5", weight: 1, priority: 1 },
    ],
  }]);
  assert.deepEqual(cfg.routing, {
    retries: 1,
    backoffMs: 200,
    maxBackoffMs: 5000,
    breaker: { failures: 5, cooldownMs: 1000 },
  });
});

Deno.test("validateConfig() checks models against the upstreams", () => {
  const found = (raw: Raw) =>
    issues({ upstreams: [AZURE, CLAUDE], ...raw }).map((i) => `${i.path}: ${i.message}`);
  const target = (t: Raw) => ({ models: { m: { targets: [t] } } });
  assert.deepEqual(found(target({ upstream: "nope", deployment: "x" })), [
    'models.m.targets[0].upstream: unknown upstream "nope", expected one of "azure-main", "claude"',
  ]);
  assert.deepEqual(found(target({ upstream: "claude", deployment: "x", model: "y" })), [
    'models.m.targets[0]: expected exactly one of "deployment" or "model", got both',
  ]);
  assert.deepEqual(found({ models: { m: { targets: [] } } }), [
    "models.m.targets: expected at least 1 entry, got 0",
  ]);
  assert.deepEqual(found({ models: { claude: { targets: [{ upstream: "claude", model: "x" }] } } }), [
    'models.claude: duplicate public model name "claude", already used at upstreams[1].deployments[0]',
  ]);
  assert.deepEqual(
    found({ models: { m: { aliases: ["gpt-4o"], targets: [{ upstream: "claude", model: "x" }] } } }),
    [
      'models.m.aliases[0]: duplicate public model name "gpt-4o", already used at upstreams[0].deployments[0]',
    ],
  );
  assert.deepEqual(
    found({ models: { m: { strategy: "random", targets: [{ upstream: "claude", model: "x" }] } } }),
    [
      'models.m.strategy: expected one of "priority", "weighted", "least_inflight", got "random"',
    ],
  );
  assert.deepEqual(found({ models: ["m"] }), ["models: expected a mapping, got a list"]);
  assert.deepEqual(found({ routing: { retries: 11, breaker: { failure: 1 } } }), [
    "routing.retries: expected an integer from 0 to 10, got 11",
    'routing.breaker.failure: unknown key, did you mean "failures"?',
  ]);
});

Deno.test("config.example.yaml's commented openai and anthropic upstreams pass validation", async () => {
  const lines = (await Deno.readTextFile(EXAMPLE)).split("\n");
  for (const marker of ["  # - name: openai", "  # - name: anthropic", "      # - upstream: anthropic"]) {
    const start = lines.findIndex((l) => l.startsWith(marker));
    assert.ok(start > 0, marker);
    const indent = marker.indexOf("#");
    const prefix = new RegExp(`^ {${indent}}# (?=[ -])`);
    for (let i = start; i < lines.length && prefix.test(lines[i]!); i++) {
      lines[i] = lines[i]!.replace(prefix, " ".repeat(indent));
    }
  }
  const cfg = parseConfigText(lines.join("\n"), "example", { hostname: () => "h" });
  assert.deepEqual(cfg.upstreams.map((u) => [u.name, u.kind]), [
    ["openai", "openai"],
    ["anthropic", "anthropic"],
    ["azure-main", "azure"],
  ]);
  assert.deepEqual(cfg.models![0]!.targets.map((t) => t.upstream), ["anthropic", "azure-main"]);
  const text = lines.join("\n");
  // deno-fmt-ignore
  const keys = [
    "base_url", "headers", "stream_usage", "anthropic_version", "default_max_tokens", "pool", "max_idle_per_host",
    "idle_timeout_ms", "models", "strategy", "targets", "upstream", "deployment", "priority", "weight", "routing",
    "retries", "backoff_ms", "max_backoff_ms", "breaker", "failures", "cooldown_ms",
  ];
  for (const key of keys) {
    assert.ok(
      text.split("\n").some((l) => new RegExp(`^[\\s#-]*${key}:.*#`).test(l)),
      `no commented line for "${key}"`,
    );
  }
});
