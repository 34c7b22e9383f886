import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import OpenAI from "openai";
import { createMockUpstream, MockResetError, serveMock } from "../../src/mock/mod.ts";
import { chatBody, jsonRequest, sseData } from "./_util.ts";

const CHAT = "/v1/chat/completions";
const STREAM = chatBody("Hi", { stream: true });

/** Reads a body until it ends or fails; returns the text received and the error, if any. */
async function drain(body: ReadableStream<Uint8Array> | null): Promise<{ text: string; error: unknown }> {
  const reader = body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, error: undefined };
      text += value;
    }
  } catch (error) {
    return { text, error };
  }
}

Deno.test("createMockUpstream() injects error statuses in each provider's format", async (t) => {
  const mock = createMockUpstream();
  const retry = { "x-mock-status": "429", "x-mock-retry-after": "3" };
  await t.step("OpenAI", async () => {
    const res = await mock.handler(jsonRequest(CHAT, chatBody("x"), retry));
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after"), "3");
    assert.equal(res.headers.get("retry-after-ms"), "3000");
    const json = await res.json();
    assert.equal(json.error.code, "rate_limit_exceeded");
    assert.equal(json.error.type, "requests");
  });
  await t.step("Azure", async () => {
    const res = await mock.handler(jsonRequest("/openai/v1/chat/completions", chatBody("x"), retry));
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after-ms"), "3000");
    assert.equal((await res.json()).error.code, "429");
  });
  await t.step("Anthropic", async () => {
    const headers = { "anthropic-version": "2023-06-01", "x-mock-status": "529", "x-mock-retry-after": "1" };
    const res = await mock.handler(jsonRequest("/v1/messages", {}, headers));
    assert.equal(res.status, 529);
    assert.equal(res.headers.get("retry-after"), "1");
    assert.equal(res.headers.has("retry-after-ms"), false);
    assert.equal((await res.json()).error.type, "overloaded_error");
  });
  await t.step("500 server_error", async () => {
    const res = await mock.handler(jsonRequest(CHAT, chatBody("x"), { "x-mock-status": "500" }));
    assert.equal((await res.json()).error.type, "server_error");
  });
});

Deno.test("createMockUpstream() fails only the first N requests of a scenario", async () => {
  const mock = createMockUpstream();
  const send = async (scenario: string, extra: Record<string, string> = { "x-mock-status": "503" }) => {
    const res = await mock.handler(
      jsonRequest(CHAT, chatBody("x"), { "x-mock-fail-first": "2", "x-mock-scenario": scenario, ...extra }),
    );
    await res.body?.cancel();
    return res.status;
  };
  assert.deepEqual([await send("a"), await send("a"), await send("a"), await send("a")], [
    503,
    503,
    200,
    200,
  ]);
  assert.deepEqual([await send("b", {}), await send("b", {}), await send("b", {})], [500, 500, 200]);
  mock.reset();
  assert.equal(await send("a"), 503);
});

Deno.test("serveMock() lets the openai SDK retry through x-mock-fail-first", async () => {
  const mock = serveMock();
  try {
    const client = new OpenAI({
      baseURL: `${mock.url}/v1`,
      apiKey: "k",
      maxRetries: 2,
      defaultHeaders: {
        "x-mock-fail-first": "2",
        "x-mock-scenario": "sdk",
        "x-mock-status": "500",
        "x-mock-retry-after": "0",
      },
    });
    const answer = await client.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "x" }],
    });
    assert.equal(answer.object, "chat.completion");
    assert.equal(mock.requests.length, 3);
  } finally {
    await mock.shutdown();
  }
});

Deno.test("createMockUpstream() timeout fault holds the request until the signal aborts", async () => {
  // A fake clock: an hour of timers runs at once, and the request is still held.
  const clock = FakeTimers.install();
  try {
    const mock = createMockUpstream();
    const ac = new AbortController();
    let settled = false;
    const pending = mock.handler(
      jsonRequest(CHAT, chatBody("x"), { "x-mock-fault": "timeout" }, { signal: ac.signal }),
    )
      .finally(() => settled = true);
    await clock.tickAsync(3_600_000);
    assert.equal(settled, false);
    ac.abort();
    await assert.rejects(pending, { name: "AbortError" });
  } finally {
    clock.uninstall();
  }
});

Deno.test("createMockUpstream() latency delays headers and clears its timer on abort", async () => {
  const mock = createMockUpstream({ latencyMs: 30 });
  const started = performance.now();
  const res = await mock.handler(jsonRequest(CHAT, chatBody("x")));
  assert.ok(performance.now() - started >= 25);
  await res.body?.cancel();
  const ac = new AbortController();
  const pending = mock.handler(
    jsonRequest(CHAT, chatBody("x"), { "x-mock-latency-ms": "60000" }, { signal: ac.signal }),
  );
  ac.abort();
  await assert.rejects(pending, { name: "AbortError" });
});

Deno.test("serveMock() timeout fault: fetch rejects on abort, shutdown ends hung requests", async () => {
  const mock = serveMock();
  const ac = new AbortController();
  const init = {
    method: "POST",
    headers: { "x-mock-fault": "timeout" },
    body: JSON.stringify(chatBody("x")),
  };
  const aborted = fetch(`${mock.url}${CHAT}`, { ...init, signal: ac.signal });
  const hung = fetch(`${mock.url}${CHAT}`, init);
  setTimeout(() => ac.abort(), 20);
  await assert.rejects(aborted, { name: "AbortError" });
  await mock.shutdown();
  const res = await hung;
  assert.equal(res.status, 503);
  await res.body?.cancel();
});

Deno.test("serveMock() reset fault: fetch gets headers, then reading the body fails", async () => {
  const mock = serveMock();
  try {
    const res = await fetch(`${mock.url}${CHAT}`, {
      method: "POST",
      headers: { "x-mock-fault": "reset" },
      body: JSON.stringify(chatBody("x")),
    });
    assert.equal(res.status, 200);
    const { text, error } = await drain(res.body);
    assert.equal(text, "");
    assert.ok(error instanceof TypeError, String(error));
    const client = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: "k", maxRetries: 0 });
    await assert.rejects(
      client.chat.completions.create({ model: "m", messages: [] }, { headers: { "x-mock-fault": "reset" } }),
    );
  } finally {
    await mock.shutdown();
  }
});

Deno.test("createMockUpstream() reset fault errors the body with MockResetError", async () => {
  const mock = createMockUpstream();
  const res = await mock.handler(jsonRequest(CHAT, STREAM, { "x-mock-fault": "reset" }));
  assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
  const { text, error } = await drain(res.body);
  assert.equal(text, "");
  assert.ok(error instanceof MockResetError);
});

Deno.test("serveMock() reset-mid-stream sends K events, then the body read fails", async () => {
  const mock = serveMock();
  try {
    for (const delay of ["0", "5"]) {
      const res = await fetch(`${mock.url}${CHAT}`, {
        method: "POST",
        headers: {
          "x-mock-fault": "reset-mid-stream",
          "x-mock-reset-after-chunks": "3",
          "x-mock-chunk-delay-ms": delay,
        },
        body: JSON.stringify(STREAM),
      });
      const { text, error } = await drain(res.body);
      assert.equal(sseData(text).length, 3, `delay ${delay}`);
      assert.ok(error instanceof TypeError);
    }
  } finally {
    await mock.shutdown();
  }
});

Deno.test("createMockUpstream() reset-mid-stream cuts a non-streamed body in half", async () => {
  const mock = createMockUpstream();
  const full = await (await mock.handler(jsonRequest(CHAT, chatBody("x")))).text();
  const res = await mock.handler(jsonRequest(CHAT, chatBody("x"), { "x-mock-fault": "reset-mid-stream" }));
  const { text, error } = await drain(res.body);
  assert.equal(text.length, Math.floor(full.length / 2));
  assert.ok(error instanceof MockResetError);
});

Deno.test("serveMock() paces stream events and stops when the client leaves", async () => {
  const mock = serveMock({ chunkDelayMs: 15, chunks: 3 });
  try {
    const res = await fetch(`${mock.url}${CHAT}`, { method: "POST", body: JSON.stringify(STREAM) });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const times: number[] = [];
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
      times.push(performance.now());
    }
    assert.equal(times.length, 1 + 3 + 1 + 1);
    assert.ok(times.at(-1)! - times[0]! >= 5 * 12, `spread ${times.at(-1)! - times[0]!}`);
    const ac = new AbortController();
    const left = await fetch(`${mock.url}${CHAT}`, {
      method: "POST",
      body: JSON.stringify(STREAM),
      headers: { "x-mock-chunks": "1000" },
      signal: ac.signal,
    });
    const r = left.body!.getReader();
    await r.read();
    ac.abort();
    await assert.rejects(r.read());
  } finally {
    await mock.shutdown();
  }
});

Deno.test("createMockUpstream() stops a paced stream when the request signal aborts", async () => {
  const mock = createMockUpstream({ chunkDelayMs: 10_000 });
  const ac = new AbortController();
  const res = await mock.handler(jsonRequest(CHAT, STREAM, {}, { signal: ac.signal }));
  const reader = res.body!.getReader();
  assert.equal((await reader.read()).done, false);
  const next = reader.read();
  ac.abort();
  await assert.rejects(next, { name: "AbortError" });
});

Deno.test("serveMock() shutdown ends a paced stream", async () => {
  const mock = serveMock({ chunkDelayMs: 10_000 });
  const res = await fetch(`${mock.url}${CHAT}`, { method: "POST", body: JSON.stringify(STREAM) });
  const reader = res.body!.getReader();
  await reader.read();
  const next = reader.read();
  await mock.shutdown();
  await assert.rejects(next);
  await mock.finished;
});
