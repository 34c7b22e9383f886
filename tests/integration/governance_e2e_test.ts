/**
 * End to end: the real `openai` client calls the gateway with a withering token from the store; the
 * token's max request count, rate limit, policy and revocation through the management API all hold.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { resolveCallerKeys } from "../../src/config/load.ts";
import { openGovernance } from "../../src/server/governance.ts";
import { serveMock } from "../../src/mock/mod.ts";
import { createAppLog } from "../../src/observability/app_log.ts";
import { startGateway } from "../../src/server/gateway.ts";
import { UPSTREAM_KEY } from "../_helpers/app.ts";
import { azureUpstream, testConfig } from "../_helpers/config.ts";
import { seedStore } from "../governance/_fixtures.ts";
import { governed } from "../_helpers/callers.ts";

const MESSAGES = [{ role: "user" as const, content: "hello" }];

Deno.test("a withering token works with the OpenAI SDK until its limits, and revocation takes effect", async () => {
  const seeded = await seedStore({
    project: { policy: { models: ["gpt-4o*"] } },
    token: { ttl: "1h", max_requests: 4, rpm: 100 },
  });
  const mock = serveMock({ apiKey: UPSTREAM_KEY });
  const config = testConfig([azureUpstream(mock.url)]);
  config.auth.keys = [];
  config.manage = { token: "env:T_MANAGE", cacheTtlMs: 1000 };
  const env = (n: string) =>
    ({ TEST_UPSTREAM_KEY: UPSTREAM_KEY, T_MANAGE: "manage-secret" } as Record<string, string>)[n];
  const governance = await openGovernance(config, {
    callerKeys: await resolveCallerKeys(config, { env }),
    env,
    store: seeded.store,
  });
  const gw = await startGateway(config, {
    env,
    log: createAppLog(() => {}),
    ...governed(governance),
    onClose: () => governance.close(),
  });
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: seeded.token, maxRetries: 0 });
  try {
    const { data, response } = await client.chat.completions
      .create({ model: "gpt-4o", messages: MESSAGES })
      .withResponse();
    assert.ok(data.choices[0]?.message.content);
    assert.equal(response.headers.get("x-ratelimit-limit-requests"), "100");

    const stream = await client.chat.completions.create({
      model: "gpt-4o",
      messages: MESSAGES,
      stream: true,
    });
    for await (const _ of stream) { /* drain */ }

    await assert.rejects(
      () => client.embeddings.create({ model: "text-embedding-3-small", input: "x" }),
      (e: InstanceType<typeof OpenAI.APIError>) => e.status === 403 && e.code === "model_not_allowed",
    );

    await client.chat.completions.create({ model: "gpt-4o", messages: MESSAGES });
    await assert.rejects(
      () => client.chat.completions.create({ model: "gpt-4o", messages: MESSAGES }),
      (e: InstanceType<typeof OpenAI.APIError>) => e.status === 403 && e.code === "token_exhausted",
      "the fifth request is over max_requests",
    );

    // A store key of the same project works until an admin revokes it through the management API.
    const keyClient = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: seeded.key, maxRetries: 0 });
    await keyClient.chat.completions.create({ model: "gpt-4o", messages: MESSAGES });
    const revoke = await fetch(`${gw.url}/manage/keys/${seeded.keyId}/revoke`, {
      method: "POST",
      headers: { authorization: "Bearer manage-secret" },
    });
    assert.equal(revoke.status, 200, await revoke.text());
    await assert.rejects(
      () => keyClient.chat.completions.create({ model: "gpt-4o", messages: MESSAGES }),
      (e: InstanceType<typeof OpenAI.APIError>) => e.status === 401,
      "revocation takes effect at once",
    );
    const denied = await fetch(`${gw.url}/manage/keys`, { headers: { authorization: "Bearer wrong" } });
    assert.equal(denied.status, 401);
    await denied.body?.cancel();
  } finally {
    await gw.shutdown(2000);
    await mock.shutdown();
  }
});
