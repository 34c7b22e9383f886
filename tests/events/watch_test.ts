import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import type { EventType } from "../../src/config/types.ts";
import { EventWatch } from "../../src/events/watch.ts";
import type { AuditEntry } from "../../src/store/types.ts";

function recorder() {
  const out: {
    type: EventType;
    data: Record<string, unknown>;
    id?: string | undefined;
    subject?: string | undefined;
  }[] = [];
  const emit = (type: EventType, data: unknown, o: { id?: string; subject?: string } = {}) =>
    void out.push({ type, data: data as Record<string, unknown>, id: o.id, subject: o.subject });
  return { out, emit };
}

function entry(id: number, action = "key.create"): AuditEntry {
  return {
    id,
    at: Date.UTC(2026, 11, 4) + id,
    actor: { role: "admin", id: "manage:admin" },
    action,
    targetType: "key",
    targetId: `k${id}`,
    project: "demo",
    before: null,
    after: { id: `k${id}` },
  };
}

Deno.test("EventWatch emits breaker transitions after the baseline", async () => {
  const { out, emit } = recorder();
  let state = "closed";
  const w = new EventWatch(emit, { breakers: () => [{ upstream: "u", deployment: "d", state }] });
  await w.tick();
  state = "open";
  await w.tick();
  await w.tick();
  state = "closed";
  await w.tick();
  assert.deepEqual(out.map((e) => [e.type, e.data.state, e.data.previous, e.subject]), [
    ["azmw.upstream.breaker", "open", "closed", "u/d"],
    ["azmw.upstream.breaker", "closed", "open", "u/d"],
  ]);
});

Deno.test("EventWatch emits the number of newly dropped log records", async () => {
  const { out, emit } = recorder();
  let dropped = 3;
  const w = new EventWatch(emit, { logDropped: () => dropped });
  await w.tick();
  await w.tick();
  dropped = 7;
  await w.tick();
  assert.deepEqual(out.map((e) => [e.type, e.data]), [["azmw.log.dropped", { dropped: 4, total: 7 }]]);
});

Deno.test("EventWatch turns new audit entries into caller changes, oldest first, across pages", async () => {
  const { out, emit } = recorder();
  let trail: AuditEntry[] = [entry(1)];
  const audit = (q: { limit: number; cursor?: string }) => {
    const start = q.cursor ? Number(q.cursor) : 0;
    const items = trail.slice(start, start + q.limit);
    return Promise.resolve({
      items,
      nextCursor: start + q.limit < trail.length ? String(start + q.limit) : null,
    });
  };
  const w = new EventWatch(emit, { audit });
  await w.tick();
  assert.equal(out.length, 0);
  trail = Array.from({ length: 150 }, (_, i) => entry(151 - i, i === 0 ? "token.revoke" : "key.create"));
  await w.tick();
  assert.equal(out.length, 150);
  assert.deepEqual(out.map((e) => e.id).slice(0, 2), ["audit-2", "audit-3"]);
  const last = out.at(-1)!;
  assert.equal(last.data.action, "token.revoke");
  assert.deepEqual(last.data.target, { type: "key", id: "k151" });
  assert.equal(last.subject, "key/k151");
  await w.tick();
  assert.equal(out.length, 150);
});

Deno.test("EventWatch.start() polls on its interval and stop() checks once more", async () => {
  const clock = FakeTimers.withGlobal(globalThis).install({ toFake: ["setInterval", "clearInterval"] });
  try {
    const { out, emit } = recorder();
    let dropped = 0;
    const w = new EventWatch(emit, { logDropped: () => dropped });
    w.start(1_000);
    await clock.tickAsync(1_000);
    dropped = 1;
    await clock.tickAsync(1_000);
    assert.equal(out.length, 1);
    dropped = 2;
    await w.stop();
    assert.equal(out.length, 2);
  } finally {
    clock.uninstall();
  }
});
