/**
 * Key Vault secrets against a local fake of the Key Vault secrets REST API: reads, TTL cache, background
 * refresh, rotation, outage (last good value kept and reported), errors that never carry a value.
 */
import assert from "node:assert/strict";
import { KeyVaultSecrets, parseKeyVaultRef } from "../../../src/providers/azure/key_vault.ts";
import { fakeCredential, fakeVault } from "./_key_vault_fake.ts";

Deno.test("parseKeyVaultRef() takes vault, secret and an optional version", () => {
  assert.deepEqual(parseKeyVaultRef("kv://contoso-kv/openai-key"), {
    vault: "contoso-kv",
    name: "openai-key",
    version: null,
  });
  assert.deepEqual(parseKeyVaultRef(`kv://contoso-kv/openai-key/${"a".repeat(32)}`)?.version, "a".repeat(32));
  for (
    const bad of ["kv://x/y", "kv://contoso/", "kv://contoso/a_b", "kv:contoso/a", "kv://contoso/a/short"]
  ) {
    assert.equal(parseKeyVaultRef(bad), undefined, bad);
  }
});

Deno.test("KeyVaultSecrets reads, caches, refreshes, survives an outage and picks up a rotation", async () => {
  const vault = fakeVault();
  vault.state.secrets.set("openai-key", "value-1");
  vault.state.versions.set(`openai-key/${"b".repeat(32)}`, "pinned");
  let now = 1_000_000;
  const warnings: string[] = [];
  const rotated: string[] = [];
  const credential = fakeCredential();
  const kv = new KeyVaultSecrets({
    credential,
    ttlMs: 60_000,
    now: () => now,
    vaultUrl: (v) => `${vault.url}/${v}`,
    warn: (m) => warnings.push(m),
    onChange: (ref) => rotated.push(ref),
  });
  const ref = "kv://contoso-kv/openai-key";
  try {
    assert.equal(await kv.get(ref), "value-1");
    assert.equal(await kv.get(`kv://contoso-kv/openai-key/${"b".repeat(32)}`), "pinned");
    assert.equal(await kv.get(ref), "value-1");
    assert.equal(vault.state.requests, 2, "a fresh value comes from the cache");
    assert.equal(credential.calls, 1, "one Entra token for every read");

    // Rotation: a refresh after the TTL sees the new value and reports it.
    vault.state.secrets.set("openai-key", "value-2");
    await kv.refreshAll();
    assert.equal(await kv.get(ref), "value-2");
    assert.deepEqual(rotated, [ref]);

    // Outage: the last good value stays, the error is visible, the value never is.
    vault.state.down = true;
    now += 61_000;
    assert.equal(await kv.get(ref), "value-2", "a stale value is served while the refresh runs");
    await kv.refreshAll();
    assert.equal(await kv.get(ref), "value-2");
    const status = kv.status();
    assert.equal(status.ok, false);
    const s = status.secrets.find((x) => x.ref === ref)!;
    assert.equal(s.ok, false);
    assert.match(s.error!, /ServiceUnavailable/);
    assert.ok(warnings.some((w) => w.includes(ref) && w.includes("last good value")));
    assert.ok(!JSON.stringify(status).includes("value-2") && !warnings.join().includes("value-2"));

    // Recovery.
    vault.state.down = false;
    await kv.refreshAll();
    assert.equal(kv.status().ok, true);
  } finally {
    await vault.close();
  }
});

Deno.test("KeyVaultSecrets fails clearly when a secret was never read successfully", async () => {
  const vault = fakeVault();
  const kv = new KeyVaultSecrets({
    credential: () => Promise.resolve(fakeCredential()),
    ttlMs: 60_000,
    vaultUrl: (v) => `${vault.url}/${v}`,
  });
  try {
    await assert.rejects(kv.get("kv://contoso-kv/missing"), /refused secret "missing": SecretNotFound/);
    await assert.rejects(kv.get("kv://x"), /Malformed Key Vault reference/);
    const unreachable = new KeyVaultSecrets({
      credential: fakeCredential(),
      ttlMs: 60_000,
      vaultUrl: () => "http://127.0.0.1:9",
    });
    await assert.rejects(unreachable.get("kv://contoso-kv/a"), /Key Vault "contoso-kv" is unreachable/);
    const wrongToken = new KeyVaultSecrets({
      credential: {
        getToken: () => Promise.resolve({ token: "nope", expiresOnTimestamp: Date.now() + 3.6e6 }),
      },
      ttlMs: 60_000,
      vaultUrl: (v) => `${vault.url}/${v}`,
    });
    vault.state.secrets.set("a", "x");
    await assert.rejects(wrongToken.get("kv://contoso-kv/a"), /Unauthorized/);
    vault.state.secrets.set("blank", "  ");
    await assert.rejects(kv.get("kv://contoso-kv/blank"), /has no value/);
  } finally {
    await vault.close();
  }
});

Deno.test("KeyVaultSecrets refreshes in the background once started", async () => {
  const vault = fakeVault();
  vault.state.secrets.set("k", "v1");
  const changed = Promise.withResolvers<string>();
  const kv = new KeyVaultSecrets({
    credential: fakeCredential(),
    ttlMs: 1_000,
    vaultUrl: (v) => `${vault.url}/${v}`,
    onChange: (ref) => changed.resolve(ref),
  });
  try {
    assert.equal(await kv.get("kv://contoso-kv/k"), "v1");
    kv.start();
    kv.start(); // idempotent
    vault.state.secrets.set("k", "v2");
    assert.equal(await changed.promise, "kv://contoso-kv/k");
    assert.equal(await kv.get("kv://contoso-kv/k"), "v2");
  } finally {
    kv.stop();
    await vault.close();
  }
});
