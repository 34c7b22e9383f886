/**
 * The pipeline builds a call's record once per event: the start of a stream and the end of the call each
 * reach the sinks as an object of their own, finished, and neither changes afterwards. Tickets settle with
 * the ended record and return the cost, which is in the record the sinks get.
 */
import assert from "node:assert/strict";
import type { AdmissionStage } from "../../src/core/admission.ts";
import type { CallRecord, CallSink, CallStart } from "../../src/core/record.ts";
import { azure, chatOk, json, routingHarness } from "./_routing.ts";

const SSE = 'data: {"choices":[{"index":0,"delta":{"content":"ok"}}]}\n\n' +
  'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}\n\n' +
  "data: [DONE]\n\n";

/** A harness whose sink keeps each event's object and a copy of it as it arrived, and a budget-like ticket. */
function harness() {
  const h = routingHarness([azure("a")], {
    a: (req) =>
      req.headers.get("x-fail") !== null
        ? json(400, { error: { message: "Bad input", code: "bad" } })
        : req.headers.get("x-stream") !== null
        ? new Response(SSE, { headers: { "content-type": "text/event-stream" } })
        : chatOk("a"),
  });
  const finals: { rec: CallRecord; copy: CallRecord }[] = [];
  const starts: { call: CallStart; copy: CallStart }[] = [];
  const settledWith: CallRecord[] = [];
  const sink: CallSink = Object.assign(
    (rec: CallRecord) => void finals.push({ rec, copy: { ...rec, tried: [...rec.tried!] } }),
    { started: (call: CallStart) => void starts.push({ call, copy: { ...call } }) },
  );
  const budget: AdmissionStage = () => ({
    reservedEur: 0.5,
    settle: (rec) => {
      settledWith.push(rec);
      return { costEur: 0.25, estimated: false };
    },
  });
  Object.assign(h.deps, { sink, admission: [budget] });
  return { h, finals, starts, settledWith };
}

/** A streamed call through the harness. */
function streamed(h: ReturnType<typeof harness>["h"]) {
  return h.call(
    { model: "a-model", messages: [], stream: true, stream_options: { include_usage: true } },
    undefined,
    { "x-stream": "1" },
  );
}

Deno.test("a JSON call's record reaches the sinks once, finished, with the cost its ticket settled", async () => {
  const { h, finals, starts, settledWith } = harness();
  const res = await h.call({ model: "a-model", messages: [] });
  await res.text();
  assert.equal(starts.length, 0, "no start event without a stream");
  assert.equal(finals.length, 1);
  const { rec, copy } = finals[0]!;
  assert.deepEqual(rec, copy, "not changed after the sink got it");
  assert.equal(settledWith[0], rec, "the ticket settled with the same record");
  assert.equal(rec.costEur, 0.25);
  assert.equal(rec.costEstimated, false);
  assert.equal(rec.status, 200);
  assert.equal(rec.usage?.totalTokens, 5);
  assert.equal(rec.usageSource, "upstream");
  assert.deepEqual(rec.tried!.map((t) => [t.upstream, t.status]), [["a", 200]]);
});

Deno.test("a stream's start event is an object of its own; its record comes at the end, unchanged after", async () => {
  const { h, finals, starts } = harness();
  const res = await streamed(h);
  assert.equal(finals.length, 0, "the record waits for the stream's end");
  assert.equal(starts.length, 0, "the start event is queued once the response is on its way");
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(starts.length, 1);
  assert.deepEqual(starts[0]!.call, {
    id: "rec-1",
    ts: "2025-08-01T12:00:01.000Z",
    caller: starts[0]!.call.caller,
    model: "a-model",
    upstream: "a",
    deployment: "a-dep",
  });
  assert.equal(await res.text(), SSE);
  assert.equal(finals.length, 1);
  const { rec, copy } = finals[0]!;
  assert.deepEqual(rec, copy, "not changed after the sink got it");
  assert.deepEqual(starts[0]!.call, starts[0]!.copy, "the start event is not changed either");
  assert.notEqual(rec as object, starts[0]!.call as object);
  assert.equal(rec.stream, true);
  assert.equal(rec.status, 200);
  assert.equal(rec.usage?.totalTokens, 4);
  assert.equal(rec.assembled?.content, "ok");
  assert.equal(rec.costEur, 0.25);
});

Deno.test("a stream that ends before its start event was queued leaves only its record", async () => {
  const { h, finals, starts } = harness();
  const res = await streamed(h);
  assert.equal(await res.text(), SSE);
  assert.equal(finals.length, 1);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(starts.length, 0, "a start event after its own record would read as a call that never ended");
});

Deno.test("a failed call's record reaches the sinks once, finished", async () => {
  const { h, finals } = harness();
  const res = await h.call({ model: "a-model", messages: [] }, undefined, { "x-fail": "1" });
  assert.equal(res.status, 400);
  const { rec, copy } = finals[0]!;
  assert.deepEqual(rec, copy, "not changed after the sink got it");
  assert.equal(rec.status, 400);
  assert.deepEqual(rec.error, { type: "upstream_error", code: "bad", message: "Bad input" });
  assert.equal(rec.costEur, 0.25);
  const refused = await h.call({ model: "no-such-model", messages: [] });
  assert.equal(refused.status, 404);
  assert.equal(finals[1]!.rec.upstream, null);
  assert.deepEqual(finals[1]!.rec, finals[1]!.copy);
});
