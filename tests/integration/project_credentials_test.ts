/**
 * A project's own upstream credential replaces the gateway's for that project's calls; other callers
 * keep using the gateway's; a reference that does not resolve is a clear 502, never a leak.
 */
import assert from "node:assert/strict";
import { resolveCallerKeys } from "../../src/config/load.ts";
import { openGovernance } from "../../src/server/governance.ts";
import { serveMock } from "../../src/mock/mod.ts";
import { createAppLog } from "../../src/observability/app_log.ts";
import { startGateway } from "../../src/server/gateway.ts";
import { CALLER_KEY, CALLER_SHA, UPSTREAM_KEY } from "../_helpers/app.ts";
import { azureUpstream, testConfig } from "../_helpers/config.ts";
import { seedStore } from "../governance/_fixtures.ts";
import { governed } from "../_helpers/callers.ts";

const PROJECT_KEY = "project-own-azure-key-0123";

Deno.test("a project's own upstream credential is used for its calls only", async () => {
  const seeded = await seedStore({
    project: { upstream_credentials: { "azure-test": "env:T_PROJECT_KEY" } },
  });
  const mock = serveMock(); // accepts any key; the test reads what it received
  const config = testConfig([azureUpstream(mock.url)]);
  config.auth.keys = [{ id: "dev", sha256: CALLER_SHA }];
  let projectKey: string | undefined = PROJECT_KEY;
  const env = (n: string) =>
    n === "TEST_UPSTREAM_KEY" ? UPSTREAM_KEY : n === "T_PROJECT_KEY" ? projectKey : undefined;
  const governance = await openGovernance(config, {
    callerKeys: await resolveCallerKeys(config, { env }),
    env,
    store: seeded.store,
  });
  const gw = await startGateway(config, { env, log: createAppLog(() => {}), ...governed(governance) });
  const call = (key: string) =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
    });
  try {
    const a = await call(seeded.token);
    assert.equal(a.status, 200, await a.text());
    assert.equal(mock.requests.at(-1)!.headers["api-key"], PROJECT_KEY);
    const b = await call(CALLER_KEY);
    assert.equal(b.status, 200);
    await b.body?.cancel();
    assert.equal(
      mock.requests.at(-1)!.headers["api-key"],
      UPSTREAM_KEY,
      "other callers keep the gateway's key",
    );

    projectKey = undefined; // resolved once and cached: the project's key keeps working
    const c = await call(seeded.key);
    assert.equal(c.status, 200);
    await c.body?.cancel();
  } finally {
    await gw.shutdown(2000);
    await governance.close();
    await mock.shutdown();
  }
});

Deno.test("an unresolvable project credential is a 502 naming the project, not the secret", async () => {
  const seeded = await seedStore({ project: { upstream_credentials: { "azure-test": "env:T_MISSING" } } });
  const mock = serveMock();
  const config = testConfig([azureUpstream(mock.url)]);
  config.auth.keys = [];
  const env = (n: string) => (n === "TEST_UPSTREAM_KEY" ? UPSTREAM_KEY : undefined);
  const governance = await openGovernance(config, { callerKeys: [], env, store: seeded.store });
  const gw = await startGateway(config, { env, log: createAppLog(() => {}), ...governed(governance) });
  try {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${seeded.token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
    });
    assert.equal(res.status, 502);
    const body = await res.json();
    assert.equal(body.error.code, "project_credentials_unavailable");
    assert.match(body.error.message, /project "demo"/);
    assert.equal(mock.requests.length, 0, "nothing was sent with the gateway's own key instead");
  } finally {
    await gw.shutdown(2000);
    await governance.close();
    await mock.shutdown();
  }
});
