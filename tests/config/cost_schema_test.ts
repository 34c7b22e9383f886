import assert from "node:assert/strict";
import { loadConfig, parseConfigText } from "../../src/config/load.ts";
import { validateConfig } from "../../src/config/schema.ts";
import type { Config } from "../../src/config/types.ts";
import { ConfigError } from "../../src/core/errors.ts";

const EXAMPLE = new URL("../../config.example.yaml", import.meta.url);
const UPSTREAM = { name: "u", kind: "openai", deployments: ["m"] };

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

Deno.test("validateConfig() fills the pricing and budget defaults", () => {
  const cfg = config({});
  assert.deepEqual(cfg.pricing, {
    currency: "EUR",
    asOf: "2026-12-04",
    defaults: true,
    models: {},
    // The highest shipped price per kind (o1-pro: USD 150 / 600), never understating an unknown model.
    fallback: { input: 129, cachedInput: 129, output: 516, cacheWrite: 161.25, cacheWrite1h: 258 },
  });
  assert.deepEqual(cfg.budget, {
    alertThresholds: [0.8, 1],
    defaultMaxOutputTokens: 4096,
    reserve: { enforceMaxTokens: true, share: 0.01, minOutputTokens: 16 },
  });
});

Deno.test("validateConfig() reads every pricing and budget key", () => {
  const cfg = config({
    pricing: {
      currency: "EUR",
      as_of: "2026-11-20",
      defaults: false,
      models: {
        "gpt-4o*": { input: 2, cached_input: 1, output: 8, reasoning: 9, cache_write: 2.5 },
        "llama3.1:8b": { input: 0, output: 0 },
        "claude-x": {
          input: 3,
          output: 15,
          cache_write_1h: 6,
          long_context: {
            above: 200000,
            input: 6,
            cached_input: 0.6,
            output: 22.5,
            cache_write: 7.5,
            cache_write_1h: 12,
          },
          service_tiers: { priority: { input: 6, output: 30 } },
        },
      },
      fallback: { input: 10, output: 30 },
    },
    budget: {
      daily_eur: 250.5,
      alert_thresholds: [1, 0.5, 0.8, 0.8],
      webhook: { url: "https://hooks.example/x", headers: { "X-Api-Key": "env:HOOK_KEY", "X-Team": "ops" } },
      downshift: { "gpt-4o": "gpt-4o-mini", "o3": "o4-mini", at: 0.75 },
      default_max_output_tokens: 1024,
      reserve: { enforce_max_tokens: false, share: 0.1, min_output_tokens: 64 },
    },
  });
  assert.deepEqual(cfg.pricing, {
    currency: "EUR",
    asOf: "2026-11-20",
    defaults: false,
    models: {
      "gpt-4o*": { input: 2, cachedInput: 1, output: 8, reasoning: 9, cacheWrite: 2.5 },
      "llama3.1:8b": { input: 0, output: 0 },
      "claude-x": {
        input: 3,
        output: 15,
        cacheWrite1h: 6,
        longContext: {
          above: 200000,
          input: 6,
          cachedInput: 0.6,
          output: 22.5,
          cacheWrite: 7.5,
          cacheWrite1h: 12,
        },
        serviceTiers: { priority: { input: 6, output: 30 } },
      },
    },
    fallback: { input: 10, output: 30 },
  });
  assert.deepEqual(cfg.budget, {
    dailyEur: 250.5,
    alertThresholds: [0.5, 0.8, 1],
    webhook: { url: "https://hooks.example/x", headers: { "x-api-key": "env:HOOK_KEY", "x-team": "ops" } },
    downshift: { at: 0.75, models: { "gpt-4o": "gpt-4o-mini", o3: "o4-mini" } },
    defaultMaxOutputTokens: 1024,
    reserve: { enforceMaxTokens: false, share: 0.1, minOutputTokens: 64 },
  });
  assert.equal(config({ budget: { webhook: { url: "env:HOOK" } } }).budget?.webhook?.url, "env:HOOK");
});

Deno.test("validateConfig() names the key path of every bad pricing and budget value", () => {
  assert.deepEqual(
    issues({
      pricing: {
        currency: "USD",
        as_of: "Nov 2026",
        models: { "gpt 4o": { input: 1, output: 1 }, m: { input: -1, output: "2", cached_inpt: 1 } },
        fallback: { input: 1 },
      },
      budget: {
        daily_eur: -5,
        alert_thresholds: [0],
        webhook: { url: "http://hooks.example/x?token=abc", headers: { Authorization: "Bearer abc" } },
        downshift: { at: 2 },
        default_max_output_tokens: 0,
      },
    }),
    [
      { path: "pricing.currency", message: 'expected one of "EUR", got "USD"' },
      { path: "pricing.as_of", message: 'expected a date "YYYY-MM-DD", got "Nov 2026"' },
      {
        path: "pricing.models.gpt 4o",
        message: 'expected a model name or glob such as "gpt-4o*" as the key',
      },
      { path: "pricing.models.m.cached_inpt", message: 'unknown key, did you mean "cached_input"?' },
      { path: "pricing.models.m.input", message: "expected a number from 0 to 1000000, got -1" },
      { path: "pricing.models.m.output", message: 'expected a number from 0 to 1000000, got "2"' },
      { path: "pricing.fallback.output", message: "required, expected a number from 0 to 1000000" },
      { path: "budget.daily_eur", message: "expected a number from 0 to 1000000000, got -5" },
      { path: "budget.alert_thresholds[0]", message: "expected a number from 0.01 to 10, got 0" },
      {
        path: "budget.webhook.url",
        message:
          "expected an https URL (http only for localhost), or a secret reference to one, got a literal value",
      },
      {
        path: "budget.webhook.headers.Authorization",
        message:
          'expected a secret reference "env:NAME", "file:/path" or "kv://<vault>/<secret>" (literal secrets are not allowed) for this header',
      },
      { path: "budget.downshift.at", message: "expected a number from 0 to 1, got 2" },
      { path: "budget.downshift", message: 'expected at least one "model: cheaper model" entry' },
      { path: "budget.default_max_output_tokens", message: "expected an integer from 1 to 100000000, got 0" },
    ],
  );
  assert.deepEqual(issues({ budget: { downshift: { m: "m" } } }), [
    { path: "budget.downshift.m", message: 'expected a model other than "m"' },
  ]);
  assert.deepEqual(
    issues({
      budget: { reserve: { enforce_max_tokens: "yes", share: 2, min_output_tokens: 0 } },
      pricing: { models: { m: { input: 1, output: 1, long_context: { input: 2, output: 2 } } } },
    }),
    [
      {
        path: "pricing.models.m.long_context.above",
        message: "required, expected an integer from 1 to 100000000",
      },
      { path: "budget.reserve.enforce_max_tokens", message: 'expected true or false, got "yes"' },
      { path: "budget.reserve.share", message: "expected a number from 0.001 to 1, got 2" },
      { path: "budget.reserve.min_output_tokens", message: "expected an integer from 1 to 100000000, got 0" },
    ],
  );
});

Deno.test("config.example.yaml documents pricing and budget, and its commented budget keys validate", async () => {
  const text = await Deno.readTextFile(EXAMPLE);
  // deno-fmt-ignore
  const keys = ["pricing", "currency", "as_of", "defaults", "models", "fallback", "budget", "daily_eur",
    "alert_thresholds", "webhook", "url", "headers", "downshift", "at", "default_max_output_tokens", "reserve",
    "enforce_max_tokens", "share", "min_output_tokens", "cache_write_1h", "long_context", "above",
    "service_tiers"];
  for (const key of keys) {
    const line = text.split("\n").find((l) => new RegExp(`^[\\s#-]*"?${key}"?:.*#`).test(l));
    assert.ok(line !== undefined, `config.example.yaml has no commented line for "${key}"`);
  }
  const cfg = await loadConfig(EXAMPLE.pathname, { hostname: () => "h" });
  assert.deepEqual(cfg.pricing?.models, { "gpt-4o-prod": { input: 2.15, cachedInput: 1.075, output: 8.6 } });
  // Uncomment the budget section's commented keys and the commented pricing entries.
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith("pricing:"));
  const end = lines.findIndex((l) => l.startsWith("manage:"));
  for (let i = start; i < end; i++) {
    lines[i] = lines[i]!.replace(/^( {2,})# ( *)(?=[A-Za-z_"][^ ]*:( |$))/, "$1$2");
  }
  const full = parseConfigText(lines.join("\n"), "example", { hostname: () => "h" });
  assert.equal(full.budget?.dailyEur, 100);
  assert.deepEqual(full.budget?.downshift, { at: 0.9, models: { "gpt-4o": "gpt-4o-mini" } });
  assert.deepEqual(full.budget?.webhook, {
    url: "env:AZMW_BUDGET_WEBHOOK",
    headers: { authorization: "env:AZMW_BUDGET_WEBHOOK_TOKEN" },
  });
  assert.deepEqual(full.pricing?.models, {
    "gpt-4o-prod": { input: 2.15, cachedInput: 1.075, output: 8.6, reasoning: 8.6, cacheWrite: 2.6875 },
    "claude-sonnet-4-5*": {
      input: 2.58,
      output: 12.9,
      cacheWrite1h: 5.16,
      longContext: { above: 200000, input: 5.16, output: 19.35 },
      serviceTiers: { priority: { input: 5.16, output: 25.8 } },
    },
  });
});
