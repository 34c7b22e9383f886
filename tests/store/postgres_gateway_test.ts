/**
 * The gateway on the PostgreSQL store, end to end with the real OpenAI client: keys and tokens from
 * PostgreSQL work, a revocation through the management API takes effect at once, and — the point of the
 * credential snapshot — no call sends a query to PostgreSQL, not even with the caller cache off.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { resolveCallerKeys } from "../../src/config/load.ts";
import { openGovernance } from "../../src/server/governance.ts";
import { serveMock } from "../../src/mock/mod.ts";
import { createAppLog } from "../../src/observability/app_log.ts";
import { startGateway } from "../../src/server/gateway.ts";
import { openPostgresStore } from "../../src/store/postgres_open.ts";
import { UPSTREAM_KEY } from "../_helpers/app.ts";
import { azureUpstream, testConfig } from "../_helpers/config.ts";
import { dropAtEnd, freshDatabase } from "../_helpers/postgres.ts";
import { seedStore } from "../governance/_fixtures.ts";
import { governed } from "../_helpers/callers.ts";

const db = await freshDatabase();
const MESSAGES = [{ role: "user" as const, content: "hello" }];
const CALLS = 200;

Deno.test({
  name: "no call queries PostgreSQL: credentials come from the snapshot, even with the caller cache off",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const seeded = await seedStore({ path: db.url, token: { ttl: "1h", max_requests: 1000 } });
    await seeded.store.close();
    // Refreshes far apart: any query during the calls would come from the calls themselves.
    const store = await openPostgresStore(db.url, { refreshMs: 600_000 });
    const mock = serveMock({ apiKey: UPSTREAM_KEY });
    const config = testConfig([azureUpstream(mock.url)]);
    config.auth.keys = [];
    config.manage = { token: "env:T_MANAGE", cacheTtlMs: 0 }; // every call looks its caller up
    const env = (n: string) =>
      ({ TEST_UPSTREAM_KEY: UPSTREAM_KEY, T_MANAGE: "manage-secret" } as Record<string, string>)[n];
    const governance = await openGovernance(config, {
      callerKeys: await resolveCallerKeys(config, { env }),
      env,
      store,
    });
    const gw = await startGateway(config, {
      env,
      log: createAppLog(() => {}),
      ...governed(governance),
      onClose: () => governance.close(),
    });
    try {
      const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: seeded.key, maxRetries: 0 });
      const unknown = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "azmw_not_a_key", maxRetries: 0 });
      await client.chat.completions.create({ model: "gpt-4o", messages: MESSAGES }); // warm-up
      const before = store.health().queries;
      for (let i = 0; i < CALLS; i++) {
        await client.chat.completions.create({ model: "gpt-4o", messages: MESSAGES });
      }
      for (let i = 0; i < 20; i++) {
        await assert.rejects(
          () => unknown.chat.completions.create({ model: "gpt-4o", messages: MESSAGES }),
          (e: InstanceType<typeof OpenAI.APIError>) => e.status === 401,
        );
      }
      assert.equal(store.health().queries - before, 0, `queries during ${CALLS + 20} calls`);

      // A change through the management API is written through to the snapshot.
      const revoke = await fetch(`${gw.url}/manage/keys/${seeded.keyId}/revoke`, {
        method: "POST",
        headers: { authorization: "Bearer manage-secret" },
      });
      assert.equal(revoke.status, 200, await revoke.text());
      await assert.rejects(
        () => client.chat.completions.create({ model: "gpt-4o", messages: MESSAGES }),
        (e: InstanceType<typeof OpenAI.APIError>) => e.status === 401 && e.code === "api_key_disabled",
      );
      const tokenClient = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: seeded.token, maxRetries: 0 });
      const res = await tokenClient.chat.completions.create({ model: "gpt-4o", messages: MESSAGES });
      assert.ok(res.choices[0]?.message.content);
    } finally {
      await gw.shutdown(1_000);
      await mock.shutdown();
    }
  },
});

Deno.test({
  name: "a key created and revoked on another replica is seen here after a refresh",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await db.truncate();
    const here = await openPostgresStore(db.url, { refreshMs: 600_000 });
    const seeded = await seedStore({ path: db.url, project: { name: "other" } }); // "another replica"
    const digest = await seeded.store.getKey(seeded.keyId).then((k) => k!.sha256);
    await here.refresh();
    const found = await here.findCredential(digest);
    assert.equal(found?.kind === "key" && found.key.id, seeded.keyId);
    await seeded.manage("POST", `/keys/${seeded.keyId}/revoke`);
    await here.refresh();
    const after = await here.findCredential(digest);
    assert.ok(after?.kind === "key" && after.key.disabledAt !== null, "the revocation is seen");
    await seeded.store.close();
    await here.close();
  },
});

dropAtEnd(db);
