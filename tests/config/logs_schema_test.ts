import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { defaultLogsConfig, validateConfig } from "../../src/config/schema.ts";
import type { LogsConfig } from "../../src/config/types.ts";
import { ConfigError } from "../../src/core/errors.ts";

const EXAMPLE = new URL("../../config.example.yaml", import.meta.url);
const UPSTREAM = {
  name: "u",
  kind: "azure",
  endpoint: "https://x.example",
  auth: { type: "api_key", key: "env:K" },
  deployments: ["d"],
};

function logs(raw: unknown): LogsConfig {
  return validateConfig({ upstreams: [UPSTREAM], logs: raw }, "t.yaml", { hostname: () => "h" }).logs;
}

function issues(raw: unknown): { path: string; message: string }[] {
  try {
    logs(raw);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
}

Deno.test("validateConfig() fills the logs defaults", () => {
  assert.deepEqual(logs(undefined), defaultLogsConfig());
  assert.deepEqual(logs(null), defaultLogsConfig());
  const d = defaultLogsConfig();
  assert.deepEqual([d.dir, d.dirFromDataDir, d.bodies, d.keys, d.retentionDays, d.maxBodyBytes], [
    "./.azmw/logs",
    true,
    true,
    [],
    30,
    65536,
  ]);
  assert.deepEqual(d.redact.builtin, ["email", "phone", "iban", "credit_card", "api_key"]);
});

Deno.test("validateConfig() reads every logs key", () => {
  const cfg = logs({
    dir: "/var/log/azmw",
    bodies: false,
    keys: [{ key: "env:A", id: "main" }, { key: "file:/k" }],
    max_body_bytes: 1000,
    retention_days: 0,
    rotate_bytes: 0,
    queue_size: 5,
    queue_bytes: 6,
    batch_size: 7,
    flush_interval_ms: 8,
    fsync_interval_ms: 0,
    thread: false,
    redact: {
      builtin: ["email"],
      rules: [{ pattern: "a+", flags: "i" }, { pattern: "b", replacement: "" }],
      drop_paths: ["messages[*].content", "$.user"],
    },
    projects: [{ name: "p", bodies: true, keys: [{ key: "env:P", id: "p1" }] }, { name: "q" }],
    callers: [{ key_id: "dev", bodies: false }],
  });
  assert.deepEqual(cfg, {
    dir: "/var/log/azmw",
    bodies: false,
    keys: [{ key: "env:A", id: "main" }, { key: "file:/k" }],
    maxBodyBytes: 1000,
    retentionDays: 0,
    rotateBytes: 0,
    queueSize: 5,
    queueBytes: 6,
    batchSize: 7,
    flushIntervalMs: 8,
    fsyncIntervalMs: 0,
    thread: false,
    redact: {
      builtin: ["email"],
      rules: [{ pattern: "a+", flags: "i", replacement: "[REDACTED]" }, {
        pattern: "b",
        flags: "",
        replacement: "",
      }],
      dropPaths: ["messages[*].content", "$.user"],
    },
    projects: [{ name: "p", bodies: true, keys: [{ key: "env:P", id: "p1" }] }, { name: "q", keys: [] }],
    callers: [{ keyId: "dev", bodies: false }],
  });
});

Deno.test("validateConfig() names bad logs values by path", () => {
  const got = issues({
    bodies: "yes",
    keys: [{ key: "c2VjcmV0LWxvZy1rZXk=" }, { id: "bad id", key: "env:A" }],
    retention_days: -1,
    flush_interval_ms: 0,
    thread: "no",
    redact: {
      builtin: ["ssn"],
      rules: [{ pattern: "(" }, { pattern: "x", flags: "gg" }],
      drop_paths: ["a..b"],
    },
    projects: [{ name: "p" }, { name: "p", keys: [{ id: "dup", key: "env:B" }] }],
    callers: [{ key_id: "dev" }],
    colour: 1,
  });
  const at = Object.fromEntries(got.map((i) => [i.path, i.message]));
  assert.equal(at["logs.bodies"], 'expected true or false, got "yes"');
  assert.equal(at["logs.thread"], 'expected true or false, got "no"');
  assert.equal(
    at["logs.keys[0].key"],
    'expected a secret reference "env:NAME", "file:/path" or "kv://<vault>/<secret>" (literal secrets are not allowed), got a literal value',
  );
  assert.ok(!JSON.stringify(got).includes("c2VjcmV0"), "a literal key is never echoed");
  assert.match(at["logs.keys[1].id"]!, /^expected an id of letters/);
  assert.equal(at["logs.retention_days"], "expected an integer from 0 to 36500, got -1");
  assert.equal(at["logs.flush_interval_ms"], "expected an integer from 1 to 3600000, got 0");
  assert.match(
    at["logs.redact.builtin[0]"]!,
    /^expected one of "email", "phone", "iban", "credit_card", "api_key", got "ssn"$/,
  );
  assert.match(at["logs.redact.rules[0].pattern"]!, /^expected a regular expression, got an invalid one \(/);
  assert.equal(
    at["logs.redact.rules[1].flags"],
    'expected RegExp flags from "imsu", each at most once, got "gg"',
  );
  assert.match(at["logs.redact.drop_paths[0]"]!, /^expected a JSON path such as "messages\[\*\]\.content"/);
  assert.equal(at["logs.projects[1].name"], 'duplicate project "p", already used at logs.projects[0].name');
  assert.equal(at["logs.callers[0].bodies"], "required, expected true or false");
  assert.match(at["logs.colour"]!, /^unknown key/);
});

Deno.test("validateConfig() rejects a log key id used twice, across projects too", () => {
  const got = issues({
    keys: [{ id: "a", key: "env:A" }],
    projects: [{ name: "p", keys: [{ id: "a", key: "env:B" }] }],
  });
  assert.deepEqual(got, [{
    path: "logs.projects[0].keys[0].id",
    message: 'duplicate log key id "a", already used at logs.keys[0].id',
  }]);
});

Deno.test("config.example.yaml documents and validates the logs section", async () => {
  const text = await Deno.readTextFile(EXAMPLE);
  // deno-fmt-ignore
  const keys = [
    "logs", "dir", "bodies", "keys", "key", "id", "max_body_bytes", "retention_days", "rotate_bytes", "queue_size",
    "queue_bytes", "batch_size", "flush_interval_ms", "fsync_interval_ms", "redact", "builtin", "rules", "pattern",
    "flags", "replacement", "drop_paths", "projects", "name", "callers", "key_id",
  ];
  const section = text.slice(text.indexOf("\nlogs:"));
  for (const key of keys) {
    const line = section.split("\n").find((l) => new RegExp(`^[\\s#-]*${key}:.*#`).test(l));
    assert.ok(line !== undefined, `the logs section has no commented line for "${key}"`);
  }
  const cfg = await loadConfig(EXAMPLE.pathname, { hostname: () => "h" });
  assert.deepEqual(cfg.logs.keys, [{ key: "env:AZMW_LOG_KEY", id: "main" }]);
  assert.equal(cfg.logs.redact.rules[0]!.pattern, "ACME-\\d{6}");
  assert.deepEqual(cfg.logs.callers, [{ keyId: "dev", bodies: true }]);
});
