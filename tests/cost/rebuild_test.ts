import assert from "node:assert/strict";
import { createCostControl } from "../../src/cost/control.ts";
import { resolvePolicy } from "../../src/governance/policy.ts";
import { RateHistory } from "../../src/governance/rate_history.ts";
import { createRateLimiter } from "../../src/governance/rate_limit.ts";
import { openRequestLog } from "../../src/logs/request_log.ts";
import type { Caller } from "../../src/core/caller.ts";
import {
  billed,
  caller,
  callRecord,
  costConfig,
  FLAT_PRICING,
  logRecord,
  NOW,
  TODAY,
  usage,
  writeDay,
} from "./_util.ts";

function spent(snapshot: Record<string, { spent: number }>): Record<string, number> {
  return Object.fromEntries(Object.entries(snapshot).map(([scope, e]) => [scope, e.spent]).sort());
}

Deno.test("restart: spend rebuilt from the request log equals spend before", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = costConfig({
      pricing: FLAT_PRICING,
      logs: { dir, bodies: false },
      server: { instance: "gw1", timezone: "Europe/Berlin" },
    });
    const log = await openRequestLog(config, { now: () => NOW, warn: () => {} });
    const before = createCostControl(config, { now: () => NOW, tokenizer: false });
    const callers = [
      caller(),
      caller({ key: "ci", project: "search" }),
      caller({ token: "tok_1" }),
      caller({ key: "solo", project: null }),
    ];
    for (let i = 0; i < 60; i++) {
      const who = callers[i % callers.length]!;
      const admission = before.admit(who, {
        model: i % 5 === 0 ? "cheap" : "m",
        body: { input: "x" },
        operation: "chat",
      });
      const kind = i % 7;
      const rec = callRecord({
        caller: who as Caller,
        model: i % 5 === 0 ? "cheap" : "m",
        deployment: i % 5 === 0 ? "cheap" : "m",
        ...(kind === 0
          ? {
            status: 502,
            error: { type: "upstream_error", code: "bad_gateway", message: "Upstream said no" },
          }
          : kind === 1
          ? {
            status: "client_closed" as const,
            assembled: { content: "partial answer", toolCalls: [], events: 4 },
          }
          : { usage: usage(10 + i, i, { cachedTokens: i % 3 }), usageSource: "upstream" as const }),
      });
      log.sink(billed(rec, admission.settle(rec)));
    }
    await log.close();
    assert.ok(before.spendToday() > 0);
    const after = createCostControl(config, { now: () => NOW, tokenizer: false });
    const stats = await after.rebuild(dir);
    assert.equal(stats.records, 60);
    assert.equal(stats.repriced, 0);
    assert.deepEqual(spent(after.ledger.snapshot()), spent(before.ledger.snapshot()));
    assert.equal(stats.eur, before.spendToday());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rebuild() prices older records from their usage, skips torn lines and other days", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeDay(dir, TODAY, [
      logRecord({ cost_eur: 0.5 }),
      // Written before costs were logged: 10 + 5 tokens of "m" at €0.001 → €0.015.
      logRecord({ cost_eur: null, caller: { key_id: "ci", project: "search", token_id: null } }),
      logRecord({ cost_eur: 0.25, caller: { key_id: "tok_9", project: "demo", token_id: "tok_9" } }),
    ], { tail: '{"v":1,"id":"torn","ts":"2026-11-25T14:00:00Z","cal' });
    await writeDay(dir, TODAY, [logRecord({ cost_eur: 1 })], { instance: "gw2" });
    await writeDay(dir, "20261124", [logRecord({ cost_eur: 100 })]);
    const warnings: string[] = [];
    const cost = createCostControl(costConfig({ pricing: FLAT_PRICING }), {
      now: () => NOW,
      warn: (m) => warnings.push(m),
      tokenizer: false,
    });
    const stats = await cost.rebuild(dir);
    assert.equal(stats.files, 2);
    assert.equal(stats.records, 4);
    assert.equal(stats.skipped, 1);
    assert.equal(stats.repriced, 1);
    assert.equal(stats.eur, 1.765);
    assert.equal(cost.spendToday(), 1.765);
    assert.equal(cost.spendToday("project:demo"), 1.75);
    assert.equal(cost.spendToday("project:search"), 0.015);
    assert.equal(cost.spendToday("key:ci"), 0.015);
    assert.equal(cost.spendToday("token:tok_9"), 0.25);
    assert.equal(cost.spendToday("key:dev"), 1.5);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^Skipped a torn last line, line 4 of .*requests-t\.jsonl: not valid JSON$/);
    const empty = createCostControl(costConfig(), { now: () => NOW + 86_400_000 * 3, tokenizer: false });
    assert.equal((await empty.rebuild(dir)).records, 0, "a day without a folder books nothing");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rebuild() keeps thresholds already crossed quiet, then alerts new ones", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeDay(dir, TODAY, [logRecord({ cost_eur: 0.85 })]);
    const warnings: string[] = [];
    const cost = createCostControl(costConfig({ pricing: FLAT_PRICING, budget: { daily_eur: 1 } }), {
      now: () => NOW,
      warn: (m) => warnings.push(m),
      tokenizer: false,
    });
    await cost.rebuild(dir);
    cost.sink(callRecord({ usage: usage(50, 0), usageSource: "upstream" }));
    assert.deepEqual(warnings, []);
    cost.sink(callRecord({ usage: usage(100, 0), usageSource: "upstream" }));
    assert.deepEqual(warnings, [
      "Daily cost of the gateway reached 100% of its cap: €1.00 of €1.00 spent on 20261125",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("restart after a crash mid-stream: an unclosed started entry is booked at its reservation", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = costConfig({
      pricing: FLAT_PRICING,
      logs: { dir, bodies: false },
      server: { instance: "gw1", timezone: "Europe/Berlin" },
    });
    const log = await openRequestLog(config, { now: () => NOW, warn: () => {} });
    const before = createCostControl(config, { now: () => NOW, tokenizer: false });
    const callers = [caller(), caller({ key: "ci", project: "search" }), caller({ token: "tok_1" })];
    for (let i = 0; i < 30; i++) {
      const who = callers[i % callers.length]!;
      const admission = before.admit(who, { model: "m", body: { input: "x".repeat(i) }, operation: "chat" });
      const rec = callRecord({
        id: `call-${i}`,
        caller: who as Caller,
        stream: true,
        usage: usage(10 + i, i),
        usageSource: "upstream",
      });
      log.sink.started!(rec, admission.reservationEur);
      // Every third stream is still running when the gateway dies: no record closes its started entry.
      if (i % 3 === 2) continue;
      log.sink(billed(rec, admission.settle(rec)));
    }
    await log.close();
    const held = before.ledger.snapshot();
    const expected: Record<string, number> = Object.fromEntries(
      Object.entries(held).map(([scope, e]) => [scope, e.spent + e.reserved]),
    );
    assert.ok(Object.values(held).some((e) => e.reserved > 0));

    const after = createCostControl(config, { now: () => NOW, tokenizer: false });
    const stats = await after.rebuild(dir);
    assert.equal(stats.records, 30, "one call per stream: a closed started entry is not a second call");
    assert.equal(stats.unclosed, 10);
    const got = spent(after.ledger.snapshot());
    for (const [scope, eur] of Object.entries(expected)) assert.ok(Math.abs(got[scope]! - eur) < 1e-9, scope);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rebuild() with rates gathers this instance's calls of the last minute in the same pass", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const at = (agoMs: number) => new Date(NOW - agoMs).toISOString();
    const limiter = createRateLimiter({ clock: () => 0 });
    const me = { key_id: "dev", project: "demo", token_id: null };
    const refusal = (() => {
      const c = { policy: resolvePolicy({ subject: { scope: "key:dev", policy: { rpm: 1 } } }) };
      limiter.admit(c, { estimatedTokens: 1 });
      try {
        limiter.admit(c, { estimatedTokens: 1 });
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error("expected a 429");
    })();
    await writeDay(dir, TODAY, [
      logRecord({ id: "old", instance: "gw1", ts: at(61_500), latency_ms: 400 }),
      logRecord({ id: "long", instance: "gw1", ts: at(90_000), latency_ms: 60_000 }),
      logRecord({
        id: "refused",
        instance: "gw1",
        ts: at(20_000),
        status: 429,
        attempts: 0,
        usage: null,
        usage_source: null,
        cost_eur: 0,
        error: { type: "rate_limit_error", message: refusal },
      }),
      logRecord({ id: "recent", instance: "gw1", ts: at(10_000), latency_ms: 1_000, cost_eur: null }),
      logRecord({
        id: "tok",
        instance: "gw1",
        ts: at(5_000),
        caller: { key_id: "t1", project: "demo", token_id: "t1" },
      }),
    ], {
      instance: "gw1",
      tail: JSON.stringify({
        v: 1,
        started: true,
        id: "cut",
        ts: at(3_000),
        instance: "gw1",
        caller: me,
        model: "m",
        upstream: "u",
        deployment: "m",
        reserved_eur: 0.2,
      }) + "\n",
    });
    // Another gateway's calls went through its own limiter.
    await writeDay(dir, TODAY, [logRecord({ instance: "gw2", ts: at(1_000) })], { instance: "gw2" });

    const config = costConfig({
      pricing: FLAT_PRICING,
      logs: { dir, bodies: false },
      server: { instance: "gw1" },
    });
    const control = createCostControl(config, { now: () => NOW, tokenizer: false });
    const history = new RateHistory(NOW);
    const stats = await control.rebuild(dir, undefined, { history, instance: "gw1" });
    assert.equal(stats.records, 7);
    assert.equal(stats.replayed, 4, "long, recent, tok and the cut stream");
    const end = (agoMs: number, latency: number) => NOW - agoMs + latency;
    assert.deepEqual(Object.fromEntries(history.buckets()), {
      // "long" began 90 s ago (its request has refilled) and ended 30 s ago with 15 tokens.
      "project:demo|t": [
        { at: end(90_000, 60_000), units: 15 },
        { at: end(10_000, 1_000), units: 15 },
        { at: end(5_000, 1), units: 15 },
      ],
      "key:dev|t": [{ at: end(90_000, 60_000), units: 15 }, { at: end(10_000, 1_000), units: 15 }],
      "project:demo|r": [{ at: NOW - 10_000, units: 1 }, { at: NOW - 5_000, units: 1 }, {
        at: NOW - 3_000,
        units: 1,
      }],
      "key:dev|r": [{ at: NOW - 10_000, units: 1 }, { at: NOW - 3_000, units: 1 }],
      "token:t1|r": [{ at: NOW - 5_000, units: 1 }],
      "token:t1|t": [{ at: end(5_000, 1), units: 15 }],
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
