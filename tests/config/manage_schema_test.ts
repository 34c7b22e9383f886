import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { validateConfig } from "../../src/config/schema.ts";
import type { Config } from "../../src/config/types.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { storePath } from "../../src/store/mod.ts";

const EXAMPLE = new URL("../../config.example.yaml", import.meta.url);
const UPSTREAM = {
  name: "u",
  kind: "azure",
  endpoint: "https://x.example",
  auth: { type: "api_key", key: "env:K" },
  deployments: ["d"],
};

function config(extra: Record<string, unknown>): Config {
  return validateConfig({ upstreams: [UPSTREAM], ...extra }, "t.yaml", { hostname: () => "h" });
}

function issues(extra: Record<string, unknown>): { path: string; message: string }[] {
  try {
    config(extra);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
}

Deno.test("validateConfig() fills the manage and policy defaults", () => {
  const cfg = config({});
  assert.deepEqual(cfg.manage, { cacheTtlMs: 1000 });
  assert.deepEqual(cfg.policy, {});
  assert.equal(storePath(cfg), "./.azmw/azmw.db");
  assert.equal(
    storePath({ ...cfg, server: { ...cfg.server, dataDir: "/var/lib/azmw/" } }),
    "/var/lib/azmw/azmw.db",
  );
});

Deno.test("validateConfig() reads every manage and policy key", () => {
  const cfg = config({
    manage: { token: "env:T", reader_token: "file:/r", store: "/data/gw.db", cache_ttl_ms: 250 },
    policy: {
      models: ["gpt-4o*"],
      operations: ["chat", "embeddings"],
      max_tokens: 4096,
      max_body_bytes: 1000,
      rpm: 60,
      tpm: 100000,
      daily_cost_eur: 12.5,
    },
  });
  assert.deepEqual(cfg.manage, {
    token: "env:T",
    readerToken: "file:/r",
    store: "/data/gw.db",
    cacheTtlMs: 250,
  });
  assert.deepEqual(cfg.policy, {
    models: ["gpt-4o*"],
    operations: ["chat", "embeddings"],
    maxTokens: 4096,
    maxBodyBytes: 1000,
    rpm: 60,
    tpm: 100000,
    dailyCostEur: 12.5,
  });
  assert.equal(storePath(cfg), "/data/gw.db");
});

Deno.test("validateConfig() names bad manage and policy keys, never echoing a literal token", () => {
  const found = issues({
    manage: { token: "super-secret-token", cache_ttl_ms: 5000, extra: 1 },
    policy: { rpm: 0, operations: ["images"], daily_cost_eur: "ten", models: ["gpt 4"] },
  });
  const byPath = Object.fromEntries(found.map((i) => [i.path, i.message]));
  assert.match(byPath["manage.token"]!, /secret reference .* got a literal value/);
  assert.match(byPath["manage.cache_ttl_ms"]!, /from 0 to 1000/);
  assert.match(byPath["manage.extra"]!, /unknown key/);
  assert.match(byPath["policy.rpm"]!, /integer from 1/);
  assert.match(byPath["policy.operations[0]"]!, /one of "chat"/);
  assert.match(byPath["policy.daily_cost_eur"]!, /a number from 0 .* got "ten"/);
  assert.match(byPath["policy.models[0]"]!, /model name or glob/);
  assert.ok(!JSON.stringify(found).includes("super-secret-token"));
});

Deno.test("config.example.yaml documents the manage and policy keys", async () => {
  const text = await Deno.readTextFile(EXAMPLE);
  for (
    const key of [
      "policy",
      "models",
      "operations",
      "max_tokens",
      "max_body_bytes",
      "rpm",
      "tpm",
      "daily_cost_eur",
      "manage",
      "token",
      "reader_token",
      "store",
      "cache_ttl_ms",
    ]
  ) {
    const line = text.split("\n").find((l) => new RegExp(`^[\\s#-]*${key}:.*#`).test(l));
    assert.ok(line !== undefined, `config.example.yaml has no commented line for "${key}"`);
  }
  const cfg = await loadConfig(EXAMPLE.pathname, { hostname: () => "h" });
  assert.deepEqual([cfg.manage, cfg.policy], [{ cacheTtlMs: 1000 }, {}]);
});
