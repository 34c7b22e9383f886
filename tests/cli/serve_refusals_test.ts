import assert from "node:assert/strict";
import { serveCommand } from "../../src/cli/serve.ts";
import { ConfigError } from "../../src/server/errors.ts";
import { fakeIo } from "../_helpers/cli.ts";

const CONFIG = `
auth:
  required: false
  keys: [{ id: ci, key: env:TEST_MISSING_CALLER }]
upstreams:
  - name: a
    kind: azure
    endpoint: https://contoso.openai.azure.com
    auth: { type: api_key, key: env:TEST_MISSING_AZURE }
    deployments: [gpt-4o]
logs:
  keys: [{ key: file:/nonexistent/azmw-log-key }]
`;

async function serveWith(text: string, args: { host?: string } = {}) {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/config.yaml`, text.replace("__DIR__", dir));
  const io = fakeIo();
  try {
    await serveCommand.run({
      config: `${dir}/config.yaml`,
      host: args.host,
      port: 0,
      dataDir: `${dir}/state`,
      detach: false,
      logFile: undefined,
    }, io);
    assert.fail("serve started");
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("serve lists every missing secret at once, each with its fix", async () => {
  const err = await serveWith(CONFIG);
  assert.deepEqual(err.issues.map((i) => i.path), [
    "auth.keys[0].key",
    "upstreams[0].auth.key",
    "logs.keys[0].key",
  ]);
  assert.match(
    err.issues[0]!.message,
    /"TEST_MISSING_CALLER" is not set: set it to the secret \(export TEST_MISSING_CALLER=/,
  );
  assert.match(
    err.issues[2]!.message,
    /does not exist: write a sealing key printed by "azmw logs keygen" to it/,
  );
});

Deno.test("serve refuses auth.required: false when --host makes it public", async () => {
  const err = await serveWith(CONFIG, { host: "0.0.0.0" });
  assert.equal(err.issues[0]!.path, "auth.required");
  assert.match(err.issues[0]!.message, /"0\.0\.0\.0", which is not loopback/);
});

Deno.test("serve lists a missing log key together with the missing secrets", async () => {
  const err = await serveWith(CONFIG.replace("  keys: [{ key: file:/nonexistent/azmw-log-key }]\n", ""));
  assert.deepEqual(err.issues.map((i) => i.path), ["auth.keys[0].key", "upstreams[0].auth.key", "logs.keys"]);
  assert.match(
    err.issues[2]!.message,
    /required while request bodies are logged \(logs\.bodies\): .*azmw logs keygen/,
  );
});
