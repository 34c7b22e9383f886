import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/schema.ts";
import { ConfigError } from "../../src/server/errors.ts";

const base = { upstreams: [{ name: "u", kind: "openai", deployments: ["m"] }] };
const validate = (extra: Record<string, unknown>) =>
  validateConfig({ ...base, ...extra }, "t.yaml", { hostname: () => "h" });

function issues(extra: Record<string, unknown>): { path: string; message: string }[] {
  try {
    validate(extra);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.issues;
  }
  throw new Error("valid");
}

Deno.test("events defaults: memory bus, no sinks", () => {
  const c = validate({});
  assert.equal(c.events?.bus, "memory");
  assert.deepEqual(c.events?.sinks, []);
  assert.equal(c.events?.redis.prefix, "azmw:events:");
  assert.deepEqual(c.shared, {});
});

Deno.test("events sinks get their type as name and the delivery defaults", () => {
  const c = validate({
    events: {
      sinks: [
        { type: "webhook", url: "env:URL", secret: "env:SECRET", types: ["azmw.call.completed"] },
        { type: "file", path: "./ev", name: "archive", batch_size: 5 },
        { type: "otlp", endpoint: "http://collector:4318/" },
      ],
    },
  });
  const [hook, file, otlp] = c.events!.sinks;
  assert.equal(hook!.name, "webhook");
  assert.deepEqual(hook!.types, ["azmw.call.completed"]);
  assert.equal(hook!.maxAttempts, 6);
  assert.equal(file!.name, "archive");
  assert.equal(file!.batchSize, 5);
  assert.equal(otlp!.type === "otlp" && otlp!.endpoint, "http://collector:4318");
});

Deno.test("events errors name the key path and never echo a secret", async (t) => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ["unknown type", { events: { sinks: [{ type: "kafka" }] } }, "events.sinks[0].type", /one of "webhook"/],
    [
      "plain http webhook off loopback",
      { events: { sinks: [{ type: "webhook", url: "http://example.com/hook?token=abc" }] } },
      "events.sinks[0].url",
      /got a literal value/,
    ],
    [
      "literal signing secret",
      { events: { sinks: [{ type: "webhook", url: "env:U", secret: "whsec_abc" }] } },
      "events.sinks[0].secret",
      /literal secrets are not allowed/,
    ],
    [
      "literal auth header",
      {
        events: {
          sinks: [{
            type: "otlp",
            endpoint: "http://127.0.0.1:4318",
            headers: { Authorization: "Bearer x" },
          }],
        },
      },
      "events.sinks[0].headers.Authorization",
      /secret reference/,
    ],
    [
      "unknown event type",
      { events: { sinks: [{ type: "file", path: "x", types: ["azmw.nope"] }] } },
      "events.sinks[0].types[0]",
      /azmw.call.completed/,
    ],
    [
      "duplicate names",
      { events: { sinks: [{ type: "file", path: "a" }, { type: "file", path: "b" }] } },
      "events.sinks[1].name",
      /duplicate sink name "file", already used at events.sinks\[0\].name/,
    ],
    ["redis bus without shared.redis", { events: { bus: "redis" } }, "events.bus", /shared.redis/],
    ["bad redis url", { shared: { redis: "http://user:pw@host" } }, "shared.redis", /got a literal value/],
    [
      "bad batch size",
      { events: { sinks: [{ type: "file", path: "a", batch_size: 0 }] } },
      "events.sinks[0].batch_size",
      /from 1/,
    ],
  ];
  for (const [name, extra, path, message] of cases) {
    await t.step(name, () => {
      const found = issues(extra).find((i) => i.path === path);
      assert.ok(found, `no issue at ${path}: ${JSON.stringify(issues(extra))}`);
      assert.match(found.message, message);
      assert.ok(!found.message.includes("pw") && !found.message.includes("token=abc"));
    });
  }
});

Deno.test("a redis bus with shared.redis validates", () => {
  const c = validate({ shared: { redis: "env:REDIS_URL" }, events: { bus: "redis" } });
  assert.equal(c.events?.bus, "redis");
  assert.equal(c.shared?.redis, "env:REDIS_URL");
});

Deno.test("shared.redis takes a redis URL or a secret reference and needs a value", () => {
  assert.equal(validate({ shared: { redis: "rediss://h:6380/0" } }).shared?.redis, "rediss://h:6380/0");
  assert.match(issues({ shared: { redis: "" } })[0]!.message, /expected a "redis:\/\/"/);
  assert.match(issues({ shared: { redis: 5 } })[0]!.message, /expected a "redis:\/\/"/);
  assert.match(
    issues({ events: { sinks: [{ type: "webhook" }] } }).find((i) => i.path === "events.sinks[0].url")!
      .message,
    /^required/,
  );
});
