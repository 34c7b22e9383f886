import assert from "node:assert/strict";
import { SpendLedger, todaySpend } from "../../src/cost/ledger.ts";

function ledgerAt(start: string) {
  let day = start;
  const ledger = new SpendLedger({ dayOf: () => day, now: () => 0 });
  return { ledger, next: (d: string) => (day = d) };
}

Deno.test("SpendLedger keeps the previous day for calls that settle after midnight", () => {
  const { ledger, next } = ledgerAt("20261125");
  const r = ledger.reserve(["global", "key:dev"], 0.5);
  next("20261126");
  assert.deepEqual(ledger.get("global"), { spent: 0, reserved: 0, inflight: 0 });
  assert.deepEqual(ledger.get("global", "20261125"), { spent: 0, reserved: 0.5, inflight: 1 });
  ledger.release(r);
  assert.equal(ledger.add("20261125", r.scopes, 0.3), true);
  assert.deepEqual(ledger.get("key:dev", "20261125"), { spent: 0.3, reserved: 0, inflight: 0 });
  assert.equal(ledger.get("global").spent, 0);
  assert.equal(ledger.add("20261124", ["global"], 1), false, "older days are gone");
  assert.deepEqual(ledger.get("global", "20261124"), { spent: 0, reserved: 0, inflight: 0 });
});

Deno.test("SpendLedger.claimAlert() is true once per day, scope and threshold, and survives one day change", () => {
  const { ledger, next } = ledgerAt("20261125");
  assert.equal(ledger.claimAlert("20261125", "global", 0.8), true);
  assert.equal(ledger.claimAlert("20261125", "global", 0.8), false);
  assert.equal(ledger.claimAlert("20261125", "global", 1), true);
  next("20261126");
  assert.equal(ledger.claimAlert("20261125", "global", 0.8), false, "yesterday's alert was sent");
  assert.equal(ledger.claimAlert("20261126", "global", 0.8), true);
  assert.equal(ledger.claimAlert("20261120", "global", 0.8), false, "no alerts for days gone");
});

Deno.test("todaySpend() exports the gateway's and each project's settled spend for a gauge", () => {
  const { ledger } = ledgerAt("20261125");
  assert.deepEqual(todaySpend(ledger), [[{ scope: "global" }, 0]]);
  ledger.add("20261125", ["global", "project:demo", "key:dev"], 0.25);
  assert.deepEqual(todaySpend(ledger), [[{ scope: "global" }, 0.25], [{ scope: "project:demo" }, 0.25]]);
});
