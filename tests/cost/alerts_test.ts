import assert from "node:assert/strict";
import { type AlertPayload, BudgetAlerts } from "../../src/cost/alerts.ts";
import { createCostControl } from "../../src/cost/control.ts";
import type { Caller } from "../../src/pipeline/auth.ts";
import { caller, callRecord, costConfig, FLAT_PRICING, NOW, usage } from "./_util.ts";

/** A fake webhook answering with `statuses` in turn (then 200), recording what it got. */
function fakeHook(statuses: number[] = []) {
  const calls: { url: string; headers: Record<string, string>; body: AlertPayload }[] = [];
  const fetch = (url: string, init: RequestInit) => {
    calls.push({
      url,
      headers: init.headers as Record<string, string>,
      body: JSON.parse(String(init.body)),
    });
    const status = statuses.shift() ?? 200;
    if (status === 0) return Promise.reject(new TypeError("connection refused"));
    return Promise.resolve(new Response(null, { status }));
  };
  return { calls, fetch };
}

Deno.test("cost alerts fire once per threshold and scope, to the app log and the webhook", async () => {
  const hook = fakeHook();
  const warnings: string[] = [];
  const cost = createCostControl(
    costConfig({
      pricing: FLAT_PRICING,
      budget: {
        daily_eur: 1,
        alert_thresholds: [1.0, 0.8],
        webhook: { url: "env:HOOK_URL", headers: { authorization: "env:HOOK_TOKEN", "x-team": "finops" } },
      },
    }),
    {
      now: () => NOW,
      fetch: hook.fetch,
      warn: (m) => warnings.push(m),
      env: (n) => ({ HOOK_URL: "https://hooks.example/budget", HOOK_TOKEN: "Bearer s3cret" })[n],
      tokenizer: false,
    },
  );
  const who = caller({ projectCap: 0.5 }) as Caller;
  // Booked without admission (a capped project would refuse the later ones); the caller carries its caps.
  const call = (tokens: number) =>
    cost.sink(callRecord({ caller: who, usage: usage(tokens, 0), usageSource: "upstream" }));
  call(100); // €0.10: nothing crossed
  call(300); // €0.40: project at 80%
  call(100); // €0.50: project at 100%
  call(100); // €0.60: no new threshold
  call(250); // €0.85: gateway at 80%
  await cost.idle();
  assert.deepEqual(warnings, [
    'Daily cost of project "demo" reached 80% of its cap: €0.40 of €0.50 spent on 20261125',
    'Daily cost of project "demo" reached 100% of its cap: €0.50 of €0.50 spent on 20261125',
    "Daily cost of the gateway reached 80% of its cap: €0.85 of €1.00 spent on 20261125",
  ]);
  assert.equal(hook.calls.length, 3);
  const first = hook.calls[0]!;
  assert.equal(first.url, "https://hooks.example/budget");
  assert.equal(first.headers.authorization, "Bearer s3cret");
  assert.equal(first.headers["x-team"], "finops");
  assert.equal(first.headers["content-type"], "application/json");
  assert.deepEqual(first.body, {
    event: "azmw.cost_alert",
    scope: "project:demo",
    label: 'project "demo"',
    day: "20261125",
    threshold: 0.8,
    spent_eur: 0.4,
    cap_eur: 0.5,
    ts: new Date(NOW).toISOString(),
  });
  assert.deepEqual(hook.calls.map((c) => [c.body.scope, c.body.threshold]), [
    ["project:demo", 0.8],
    ["project:demo", 1],
    ["global", 0.8],
  ]);
});

Deno.test("BudgetAlerts retries the webhook with backoff and reports when it gives up", async (t) => {
  await t.step("recovers after failures", async () => {
    const hook = fakeHook([503, 0]);
    const waits: number[] = [];
    const alerts = new BudgetAlerts({
      thresholds: [0.5],
      webhook: { url: "https://hooks.example/x", headers: {} },
      fetch: hook.fetch,
      sleep: (ms) => (waits.push(ms), Promise.resolve()),
      backoffMs: 100,
    });
    alerts.check("global", { day: "20261125", spent: 6, cap: 10 });
    await alerts.idle();
    assert.equal(hook.calls.length, 3);
    assert.deepEqual(waits, [100, 200]);
  });
  await t.step("gives up after the attempts, or at once on a client error", async () => {
    const warnings: string[] = [];
    const options = {
      thresholds: [0.5],
      webhook: { url: "https://hooks.example/x", headers: {} },
      sleep: () => Promise.resolve(),
      warn: (m: string) => warnings.push(m),
    };
    const down = fakeHook([500, 500, 500, 500]);
    const a = new BudgetAlerts({ ...options, fetch: down.fetch });
    a.check("global", { day: "20261125", spent: 6, cap: 10 });
    await a.idle();
    const gone = fakeHook([404]);
    const b = new BudgetAlerts({ ...options, fetch: gone.fetch });
    b.check("global", { day: "20261125", spent: 6, cap: 10 });
    await b.idle();
    assert.equal(down.calls.length, 4);
    assert.equal(gone.calls.length, 1);
    assert.deepEqual(warnings.filter((w) => w.startsWith("Cannot")), [
      "Cannot send a cost alert to the webhook: status 500 after 4 attempts",
      "Cannot send a cost alert to the webhook: status 404 after 1 attempt",
    ]);
  });
});

Deno.test("BudgetAlerts.markSent() keeps thresholds crossed before a restart quiet", () => {
  const warnings: string[] = [];
  const alerts = new BudgetAlerts({ thresholds: [0.8, 1], warn: (m) => warnings.push(m) });
  alerts.markSent("global", { day: "20261125", spent: 9, cap: 10 });
  alerts.check("global", { day: "20261125", spent: 9.5, cap: 10 });
  assert.deepEqual(warnings, []);
  alerts.check("global", { day: "20261125", spent: 10, cap: 10 });
  alerts.check("global", { day: "20261126", spent: 8, cap: 10 });
  assert.equal(warnings.length, 2, "100% today, then 80% again on the next day");
});

Deno.test("one call crossing 80% and 100% sends both alerts; a reload over the same ledger sends none again", async () => {
  const hook = fakeHook();
  const warnings: string[] = [];
  const config = costConfig({
    pricing: FLAT_PRICING,
    budget: { daily_eur: 1, webhook: { url: "https://hooks.example/budget" } },
  });
  const deps = { now: () => NOW, fetch: hook.fetch, warn: (m: string) => warnings.push(m), tokenizer: false };
  const cost = createCostControl(config, deps);
  cost.sink(callRecord({ caller: null, usage: usage(1000, 0), usageSource: "upstream" }));
  await cost.idle();
  assert.deepEqual(hook.calls.map((c) => c.body.threshold), [0.8, 1]);
  assert.deepEqual(warnings, [
    "Daily cost of the gateway reached 80% of its cap: €1.00 of €1.00 spent on 20261125",
    "Daily cost of the gateway reached 100% of its cap: €1.00 of €1.00 spent on 20261125",
  ]);
  const reloaded = createCostControl(config, { ...deps, ledger: cost.ledger });
  reloaded.sink(callRecord({ caller: null, usage: usage(10, 0), usageSource: "upstream" }));
  await reloaded.idle();
  assert.equal(hook.calls.length, 2, "the reload does not repeat alerts already sent");
});
