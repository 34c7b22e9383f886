import assert from "node:assert/strict";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { storeContract } from "./_contract.ts";

storeContract("SqliteStore", () => Promise.resolve(openSqliteStore(":memory:")));

Deno.test("SqliteStore takes token uses synchronously, up to the cap, in the store itself", async () => {
  const store = openSqliteStore(":memory:");
  const ctx = { actor: { role: "admin" as const, id: "manage:admin" }, at: 1 };
  await store.createProject({
    name: "demo",
    description: "",
    metadata: {},
    policy: {},
    upstreamCredentials: {},
  }, ctx);
  await store.createToken({
    id: "tok_1",
    project: "demo",
    name: "nb",
    prefix: "qrstuvwx",
    sha256: "9".repeat(64),
    policy: {},
    expiresAt: 1_000,
    maxRequests: 10,
  }, ctx);
  await store.addTokenUses(new Map([["tok_1", 5]]));
  assert.equal(store.takeTokenUseSync("tok_1", 7), 6);
  assert.equal(store.takeTokenUseSync("tok_1", 7), 7);
  assert.equal(store.takeTokenUseSync("tok_1", 7), null, "the cap holds in the store itself");
  assert.equal(store.takeTokenUseSync("tok_gone", 7), null);
  assert.equal((await store.getToken("tok_1"))?.requestCount, 7);
  await store.close();
});
