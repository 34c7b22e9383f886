/**
 * Key Vault in the running gateway: an upstream key given as `kv://…` is read through the fake vault, and a
 * rotation there reaches the upstream without a restart; config validation and `resolveSecret()` accept the
 * reference form.
 */
import assert from "node:assert/strict";
import { resolveSecret, useExternalSecrets } from "../../src/config/secrets.ts";
import { validateConfig } from "../../src/config/schema.ts";
import { createAppLog } from "../../src/observability/app_log.ts";
import { startGateway } from "../../src/server/gateway.ts";
import { createKeyVault } from "../../src/server/key_vault.ts";
import { setupGovernance } from "../../src/server/governance.ts";
import { KeyVaultSecrets } from "../../src/providers/azure/key_vault.ts";
import { openStore } from "../../src/store/mod.ts";
import { CALLER_KEY, CALLER_SHA } from "../_helpers/app.ts";
import { azureUpstream, testConfig } from "../_helpers/config.ts";
import { fakeCredential, fakeVault } from "../providers/azure/_key_vault_fake.ts";
import { configKeys } from "../_helpers/callers.ts";

/** An upstream that records the api-key of each call and answers a minimal chat completion. */
function recordingUpstream() {
  const keys: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    keys.push(req.headers.get("api-key") ?? "");
    await req.body?.cancel();
    return Response.json({
      id: "chatcmpl-1",
      object: "chat.completion",
      model: "gpt-4o",
      choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
  });
  return { keys, url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

Deno.test("an upstream key in Key Vault is used, and a rotation applies without a restart", async () => {
  const vault = fakeVault();
  vault.state.secrets.set("upstream-key", "kv-value-1");
  const upstream = recordingUpstream();
  const config = testConfig([
    azureUpstream(upstream.url, { auth: { type: "api_key", key: "kv://contoso-kv/upstream-key" } }),
  ]);
  config.auth.keys = [{ id: "dev", sha256: CALLER_SHA }];
  config.secrets = {
    ttlS: 300,
    keyVault: {
      credential: "client_secret",
      tenantId: "t",
      clientId: "c",
      clientSecret: "env:KV_SECRET",
      url: `${vault.url}/{vault}`,
    },
  };
  const lines: string[] = [];
  let gotSecret: string | undefined;
  let onRotation = () => {};
  const kv = createKeyVault(config, {
    env: (n) => n === "KV_SECRET" ? "kv-client-secret" : undefined,
    credentialFactory: (auth, secret) => {
      assert.equal(auth.credential, "client_secret");
      assert.equal(auth.scope, "https://vault.azure.net/.default");
      gotSecret = secret;
      return Promise.resolve(fakeCredential());
    },
    onChange: () => onRotation(),
  });
  useExternalSecrets(kv);
  const gw = await startGateway(config, { log: createAppLog((l) => lines.push(l)), callers: configKeys() });
  const chat = () =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${CALLER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
    });
  try {
    assert.equal(gotSecret, "kv-client-secret", "the Key Vault credential's own secret comes from env");
    const first = await chat();
    assert.equal(first.status, 200);
    await first.body?.cancel();
    assert.deepEqual(upstream.keys, ["kv-value-1"]);

    vault.state.secrets.set("upstream-key", "kv-value-2");
    const reloaded = new Promise<void>((resolve) => {
      onRotation = () => void gw.reload(gw.config).then(resolve);
    });
    await kv.refreshAll();
    await reloaded;
    const second = await chat();
    assert.equal(second.status, 200);
    await second.body?.cancel();
    assert.deepEqual(upstream.keys, ["kv-value-1", "kv-value-2"]);
    assert.ok(!lines.join("\n").includes("kv-value"), "no secret value in the app log");
  } finally {
    useExternalSecrets(undefined);
    await gw.shutdown(1_000);
    await upstream.close();
    await vault.close();
  }
});

Deno.test("resolveSecret() sends kv:// references to the Key Vault resolver, naming the reference on failure", async () => {
  const external = {
    handles: (ref: string) => ref.startsWith("kv://"),
    get: (ref: string) =>
      ref.endsWith("/good") ? Promise.resolve("s3cret") : Promise.reject(new Error("SecretNotFound")),
  };
  assert.equal(await resolveSecret("kv://contoso-kv/good", { external }), "s3cret");
  await assert.rejects(
    resolveSecret("kv://contoso-kv/bad", { external, path: "manage.token" }),
    /manage\.token: cannot read Key Vault secret "kv:\/\/contoso-kv\/bad" \(SecretNotFound\)/,
  );
  await assert.rejects(
    resolveSecret("kv://contoso-kv/x", { path: "p" }),
    /p: Key Vault reference .* \(no Key Vault set up\)/,
  );
});

Deno.test("config validation accepts kv:// references and the secrets section", () => {
  const config = validateConfig(
    {
      upstreams: [{
        name: "a",
        kind: "azure",
        endpoint: "https://contoso.openai.azure.com",
        auth: { type: "api_key", key: "kv://contoso-kv/openai-key" },
        deployments: [{ name: "gpt-4o" }],
      }],
      secrets: { ttl_s: 60, key_vault: { credential: "managed_identity", client_id: "abc" } },
    },
    "test.yaml",
  );
  assert.equal(config.secrets?.ttlS, 60);
  assert.equal(config.secrets?.keyVault.url, "https://{vault}.vault.azure.net");
  assert.throws(
    () =>
      validateConfig(
        {
          upstreams: [{
            name: "a",
            kind: "azure",
            endpoint: "https://contoso.openai.azure.com",
            auth: { type: "api_key", key: "env:K" },
            deployments: [{ name: "gpt-4o" }],
          }],
          secrets: { key_vault: { client_secret: "kv://contoso-kv/loop", url: "https://vault.example" } },
        },
        "test.yaml",
      ),
    (err: Error) =>
      /secrets\.key_vault\.client_secret/.test(String(err.message)) && /\{vault\}/.test(String(err.message)),
  );
});

Deno.test("a management token in Key Vault: a rotation makes the new token the admin's, the old one is refused", async () => {
  const vault = fakeVault();
  vault.state.secrets.set("manage-token", "admin-token-one");
  const config = testConfig([azureUpstream("http://127.0.0.1:9")]);
  config.manage = { token: "kv://contoso-kv/manage-token", cacheTtlMs: 1_000 };
  const kv = new KeyVaultSecrets({
    credential: fakeCredential(),
    ttlMs: 60_000,
    vaultUrl: (v) => `${vault.url}/${v}`,
  });
  const store = await openStore(":memory:");
  const gov = await setupGovernance(config, { callerKeys: [], store, external: kv });
  const list = (token: string) =>
    gov.manage(
      new Request("http://gw/manage/projects?limit=5", { headers: { authorization: `Bearer ${token}` } }),
    )
      .then((r) => r.status);
  try {
    assert.equal(await list("admin-token-one"), 200);
    vault.state.secrets.set("manage-token", "admin-token-two");
    await kv.refreshAll();
    await gov.refreshTokens();
    assert.equal(await list("admin-token-two"), 200);
    assert.equal(await list("admin-token-one"), 401);
    assert.equal(gov.tokens.admin, "admin-token-two", "the admin UI signs in with the same live tokens");
  } finally {
    await store.close();
    await vault.close();
  }
});
