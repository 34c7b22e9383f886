import assert from "node:assert/strict";
import { loadConfig, parseConfigText } from "../../src/config/load.ts";
import { validateConfig } from "../../src/config/schema.ts";
import { secretRefs } from "../../src/config/secrets.ts";
import type { Config } from "../../src/config/types.ts";
import { ConfigError } from "../../src/server/errors.ts";

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

Deno.test("validateConfig() reads the shared section", async (t) => {
  await t.step("absent: no Redis, defaults applied where used", () => {
    assert.deepEqual(config({}).shared, {});
  });
  await t.step("a URL or a secret reference, and the limit keys", () => {
    const url = config({ shared: { redis: "redis://10.0.0.5:6379/2", on_unavailable: "open" } }).shared;
    assert.deepEqual(url, { redis: "redis://10.0.0.5:6379/2", onUnavailable: "open" });
    const ref = config({ shared: { redis: "env:AZMW_REDIS_URL", prefix: "gw-a:", timeout_ms: 100 } });
    assert.deepEqual(ref.shared, { redis: "env:AZMW_REDIS_URL", prefix: "gw-a:", timeoutMs: 100 });
    assert.deepEqual(secretRefs(ref).find((r) => r.path === "shared.redis"), {
      path: "shared.redis",
      ref: "env:AZMW_REDIS_URL",
    });
    assert.equal(
      config({ shared: { redis: "rediss://cache.example:6380" } }).shared?.redis,
      "rediss://cache.example:6380",
    );
  });
});

Deno.test("validateConfig() names bad shared keys, never echoing a value", () => {
  const found = issues({
    shared: {
      redis: "http://:hunter2@10.0.0.5:6379",
      on_unavailable: "maybe",
      prefix: "a b",
      timeout_ms: 0,
      x: 1,
    },
  });
  const byPath = Object.fromEntries(found.map((i) => [i.path, i.message]));
  assert.match(byPath["shared.redis"]!, /expected a "redis:\/\/" or "rediss:\/\/" URL/);
  assert.match(byPath["shared.on_unavailable"]!, /one of "closed", "open"/);
  assert.match(byPath["shared.prefix"]!, /key prefix/);
  assert.match(byPath["shared.timeout_ms"]!, /from 10 to 10000/);
  assert.match(byPath["shared.x"]!, /unknown key/);
  assert.ok(!JSON.stringify(found).includes("hunter2"));
});

Deno.test("config.example.yaml documents the shared keys, and its commented redis key validates", async () => {
  const text = await Deno.readTextFile(EXAMPLE);
  for (const key of ["shared", "redis", "on_unavailable", "prefix", "timeout_ms"]) {
    const line = text.split("\n").find((l) => new RegExp(`^[\\s#-]*${key}:.*#`).test(l));
    assert.ok(line !== undefined, `config.example.yaml has no commented line for "${key}"`);
  }
  const cfg = await loadConfig(EXAMPLE.pathname, { hostname: () => "h" });
  assert.equal(cfg.shared?.redis, undefined);
  const full = parseConfigText(
    text.replace("  # redis: env:AZMW_REDIS_URL", "  redis: env:AZMW_REDIS_URL"),
    "example",
    { hostname: () => "h" },
  );
  assert.equal(full.shared?.redis, "env:AZMW_REDIS_URL");
});
