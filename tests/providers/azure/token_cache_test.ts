import assert from "node:assert/strict";
import { apiKeyAuth, entraAuth } from "../../../src/providers/azure/auth.ts";
import { TokenCache, type TokenCredentialLike } from "../../../src/providers/azure/token_cache.ts";
import type { GatewayError } from "../../../src/core/errors.ts";

const HOUR = 3_600_000;

function fakeCredential(now: () => number, opts: { fail?: boolean } = {}) {
  const calls: string[] = [];
  let n = 0;
  const credential: TokenCredentialLike & { calls: string[]; fail: boolean } = {
    calls,
    fail: opts.fail ?? false,
    async getToken(scopes) {
      calls.push(String(scopes));
      await Promise.resolve();
      if (credential.fail) throw new Error("AADSTS700016: application not found\nsecret detail");
      return { token: `tok${++n}`, expiresOnTimestamp: now() + HOUR };
    },
  };
  return credential;
}

Deno.test("TokenCache fetches once and shares the token between calls", async () => {
  let t = 1_000_000;
  const cred = fakeCredential(() => t);
  const cache = new TokenCache(cred, "https://cognitiveservices.azure.com/.default", { now: () => t });
  const [a, b] = await Promise.all([cache.get(), cache.get()]);
  assert.equal(a, "tok1");
  assert.equal(b, "tok1");
  t += 30 * 60_000;
  assert.equal(cache.get(), "tok1", "a valid cached token is returned synchronously");
  assert.deepEqual(cred.calls, ["https://cognitiveservices.azure.com/.default"]);
  assert.equal(cache.status().ok, true);
});

Deno.test("TokenCache refreshes in the background ahead of expiry", async () => {
  let t = 0;
  const cred = fakeCredential(() => t);
  const cache = new TokenCache(cred, "s", { now: () => t, refreshMarginMs: 5 * 60_000 });
  await cache.get();
  t = HOUR - 4 * 60_000; // inside the margin, still valid
  assert.equal(cache.get(), "tok1", "the old token is served while refreshing");
  await Promise.resolve();
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(cred.calls.length, 2);
  assert.equal(cache.get(), "tok2");
});

Deno.test("TokenCache waits for a new token once the old one expired", async () => {
  let t = 0;
  const cred = fakeCredential(() => t);
  const cache = new TokenCache(cred, "s", { now: () => t });
  await cache.get();
  t = 2 * HOUR;
  assert.equal(cache.status().ok, false);
  assert.equal(await cache.get(), "tok2");
});

Deno.test("TokenCache reports failures as 502 and in its status, then recovers", async () => {
  const cred = fakeCredential(() => 0, { fail: true });
  const cache = new TokenCache(cred, "s", { now: () => 0 });
  await assert.rejects(async () => await cache.get(), (e: GatewayError) => {
    assert.equal(e.status, 502);
    assert.equal(e.code, "upstream_auth_failed");
    assert.ok(!e.message.includes("secret detail"));
    return true;
  });
  assert.equal(cache.status().ok, false);
  assert.match(cache.status().error ?? "", /AADSTS700016/);
  cred.fail = false;
  assert.equal(await cache.get(), "tok1");
  assert.equal(cache.status().error, null);
});

Deno.test("entraAuth() and apiKeyAuth() set the upstream auth header", async () => {
  const cache = new TokenCache(fakeCredential(() => 0), "s", { now: () => 0 });
  const h = new Headers();
  await entraAuth(cache).apply(h);
  assert.equal(h.get("authorization"), "Bearer tok1");
  const h2 = new Headers();
  assert.equal(entraAuth(cache).apply(h2), undefined, "no await once cached");
  assert.equal(h2.get("authorization"), "Bearer tok1");
  const h3 = new Headers();
  apiKeyAuth("upstream-key").apply(h3);
  assert.equal(h3.get("api-key"), "upstream-key");
  assert.equal(apiKeyAuth("k").status().ok, true);
});
