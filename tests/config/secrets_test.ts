import assert from "node:assert/strict";
import { isSecretRef, resolveSecret, secretRefs } from "../../src/config/secrets.ts";
import { validateConfig } from "../../src/config/schema.ts";
import { ConfigError } from "../../src/server/errors.ts";

const SECRET = "sk-live-very-secret-0123";

/** Runs `fn`, expecting a ConfigError, and returns it. */
async function rejected(fn: () => Promise<unknown>): Promise<ConfigError> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
    return err;
  }
  assert.fail("expected a ConfigError, nothing was thrown");
}

Deno.test("isSecretRef() accepts env: and file: references only", () => {
  for (const ok of ["env:AZURE_OPENAI_API_KEY", "env:_x1", "file:/run/secrets/key", "file:./key.txt"]) {
    assert.equal(isSecretRef(ok), true, ok);
  }
  for (
    const bad of ["", "sk-abc", "env:", "env:1ABC", "env:MY-KEY", "file:", "file: /x", "ENV:KEY", "vault:x"]
  ) {
    assert.equal(isSecretRef(bad), false, bad);
  }
});

Deno.test("resolveSecret() reads an environment variable", async () => {
  const env = (name: string) => name === "AZURE_KEY" ? SECRET : undefined;
  assert.equal(await resolveSecret("env:AZURE_KEY", { env }), SECRET);
});

Deno.test("resolveSecret() names a missing or empty variable, with the key path", async () => {
  const missing = await rejected(() =>
    resolveSecret("env:AZURE_KEY", { env: () => undefined, path: "upstreams[0].auth.key" })
  );
  assert.deepEqual(missing.issues, [{
    path: "upstreams[0].auth.key",
    message: 'environment variable "AZURE_KEY" is not set',
  }]);
  const empty = await rejected(() =>
    resolveSecret("env:AZURE_KEY", { env: () => "  ", source: "prod.yaml" })
  );
  assert.deepEqual(empty.issues, [{ path: "", message: 'environment variable "AZURE_KEY" is empty' }]);
  assert.match(empty.message, /^Invalid prod\.yaml:/);
});

Deno.test("resolveSecret() reads a file, trimmed", async (t) => {
  await t.step("with an injected reader", async () => {
    const readTextFile = (p: string) =>
      p === "/run/secrets/k" ? Promise.resolve(`  ${SECRET}\n`) : Promise.reject(new Error());
    assert.equal(await resolveSecret("file:/run/secrets/k", { readTextFile }), SECRET);
  });
  await t.step("from a real file", async () => {
    const path = await Deno.makeTempFile();
    try {
      await Deno.writeTextFile(path, `${SECRET}\n`);
      assert.equal(await resolveSecret(`file:${path}`), SECRET);
    } finally {
      await Deno.remove(path);
    }
  });
});

Deno.test("resolveSecret() names a missing, unreadable or empty file", async () => {
  const missing = await rejected(() =>
    resolveSecret("file:/nonexistent/azmw/key", { path: "auth.keys[0].key" })
  );
  assert.deepEqual(missing.issues, [{
    path: "auth.keys[0].key",
    message: 'file "/nonexistent/azmw/key" does not exist',
  }]);
  const denied = await rejected(() =>
    resolveSecret("file:/k", { readTextFile: () => Promise.reject(new Deno.errors.PermissionDenied("no")) })
  );
  assert.equal(denied.issues[0]!.message, 'cannot read file "/k" (PermissionDenied)');
  const empty = await rejected(() => resolveSecret("file:/k", { readTextFile: () => Promise.resolve("\n") }));
  assert.equal(empty.issues[0]!.message, 'file "/k" is empty');
});

Deno.test("resolveSecret() rejects a literal without echoing it", async () => {
  const err = await rejected(() => resolveSecret(SECRET, { path: "upstreams[0].auth.key" }));
  assert.equal(
    err.issues[0]!.message,
    'expected a secret reference "env:NAME", "file:/path" or "kv://<vault>/<secret>" (literal secrets are not allowed), got a literal value',
  );
  assert.ok(!err.message.includes(SECRET));
});

Deno.test("secretRefs() lists every reference with its key path", () => {
  const cfg = validateConfig(
    {
      auth: { keys: [{ id: "a", key: "env:A" }, { id: "b", sha256: "0".repeat(64) }] },
      upstreams: [
        {
          name: "one",
          kind: "azure",
          endpoint: "https://a.example",
          auth: { type: "api_key", key: "file:/k" },
          deployments: ["x"],
        },
        {
          name: "two",
          kind: "azure",
          endpoint: "https://b.example",
          auth: {
            type: "entra",
            credential: "client_secret",
            tenant_id: "t",
            client_id: "c",
            client_secret: "env:S",
          },
          deployments: ["y"],
        },
        {
          name: "three",
          kind: "azure",
          endpoint: "https://c.example",
          auth: { type: "entra" },
          deployments: ["z"],
        },
      ],
      logs: {
        keys: [{ key: "env:LOG_KEY" }],
        projects: [{ name: "p", keys: [{ key: "file:/p_key" }] }],
      },
      manage: { token: "env:M", reader_token: "env:R" },
    },
    "t.yaml",
    { hostname: () => "h" },
  );
  assert.deepEqual(secretRefs(cfg), [
    { path: "auth.keys[0].key", ref: "env:A" },
    { path: "upstreams[0].auth.key", ref: "file:/k" },
    { path: "upstreams[1].auth.client_secret", ref: "env:S" },
    { path: "logs.keys[0].key", ref: "env:LOG_KEY" },
    { path: "logs.projects[0].keys[0].key", ref: "file:/p_key" },
    { path: "manage.token", ref: "env:M" },
    { path: "manage.reader_token", ref: "env:R" },
  ]);
});
