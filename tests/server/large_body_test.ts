/**
 * Large request bodies through a real gateway and a real mock upstream: they reach the upstream as the
 * client's own bytes with their exact content-length, also when the budget adds its output maximum.
 */
import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/schema.ts";
import { costStage, createCostControl } from "../../src/cost/mod.ts";
import { startGateway } from "../_helpers/gateway.ts";
import { CALLER_KEY } from "../_helpers/app.ts";

/** A 600 kB chat body in the client's own formatting (spaces, a trailing newline), without `max_tokens`. */
const TEXT = `{ "model": "gpt-4o", "messages": [ { "role": "user", "content": "${
  "lorem ".repeat(100_000)
}" } ] }\n`;
const BYTES = new TextEncoder().encode(TEXT);

const post = (url: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${CALLER_KEY}`, "content-type": "application/json" },
    body: BYTES,
  });

Deno.test("a large body reaches the upstream byte for byte, with its content-length", async () => {
  const logged: Uint8Array[] = [];
  const gw = await startGateway({ onRecord: (r) => logged.push(r.requestBody!.slice()) });
  try {
    const res = await post(gw.url);
    assert.equal(res.status, 200, await res.text());
    const got = gw.mock.requests.at(-1)!;
    assert.equal(got.headers["content-length"], String(BYTES.byteLength));
    assert.equal(got.headers["transfer-encoding"], undefined);
    assert.equal(got.body, TEXT);
    await gw.recordsReached(1);
    assert.deepEqual(logged, [BYTES], "the sinks see the client's bytes");
    assert.equal(gw.records[0]!.requestBody!.byteLength, 0, "and the memory is given back after them");
  } finally {
    await gw.close();
  }
});

Deno.test("a large body the budget bounds reaches the upstream as the client's bytes and the field it set", async () => {
  const logged: Uint8Array[] = [];
  const costed = validateConfig(
    {
      upstreams: [{ name: "u", kind: "openai", deployments: ["m"] }],
      pricing: { models: { "gpt-4o": { input: 2.5, output: 10 } } },
      budget: { daily_eur: 1000 },
    },
    "test.yaml",
    { hostname: () => "test" },
  );
  const gw = await startGateway({
    configure: (config) => {
      config.pricing = costed.pricing!;
      config.budget = costed.budget!;
    },
    admission: (config) => [costStage(createCostControl(config))],
    onRecord: (r) => logged.push(r.requestBody!.slice()),
  });
  try {
    const res = await post(gw.url);
    assert.equal(res.status, 200, await res.text());
    const got = gw.mock.requests.at(-1)!;
    const set = /,("max_[a-z_]+":\d+)\}$/.exec(got.body);
    assert.ok(set, `a field appended to the client's text: …${got.body.slice(-60)}`);
    assert.equal(got.body, `${TEXT.slice(0, TEXT.lastIndexOf("}"))},${set[1]}}`);
    assert.equal(got.headers["content-length"], String(new TextEncoder().encode(got.body).byteLength));
    await gw.recordsReached(1);
    assert.deepEqual(logged, [BYTES], "the record keeps what the client sent");
  } finally {
    await gw.close();
  }
});

/** A chat body of exactly `size` bytes. */
function sized(size: number): Uint8Array<ArrayBuffer> {
  const frame = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "" }] });
  return new TextEncoder().encode(
    JSON.stringify({
      model: "gpt-4o",
      messages: [{ role: "user", content: "z".repeat(size - frame.length) }],
    }),
  );
}

Deno.test("many large bodies over a small body budget: each is answered and recorded, and all room comes back", async () => {
  const limit = 1024 * 1024;
  const gw = await startGateway({
    configure: (config) => {
      config.server.maxBodyBytes = limit;
      config.server.maxBufferedBodyBytes = limit;
      config.server.bodyIdleTimeoutMs = 2000;
    },
  });
  const send = (body: Uint8Array<ArrayBuffer>) =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${CALLER_KEY}`, "content-type": "application/json" },
      body,
    });
  try {
    const answers = await Promise.all(Array.from({ length: 12 }, () => send(sized(600_000))));
    for (const res of answers) {
      const body = await res.json();
      if (res.status !== 200) {
        assert.equal(res.status, 503, JSON.stringify(body));
        assert.equal(body.error.code, "server_busy");
        assert.equal(res.headers.get("retry-after"), "1");
      }
    }
    await gw.recordsReached(12);
    // A client that leaves halfway through its body.
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(new URL(gw.url).port) });
    await conn.write(new TextEncoder().encode(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${CALLER_KEY}\r\n` +
        `content-type: application/json\r\ncontent-length: 600000\r\n\r\n{"model":"gpt-4o","messages":[`,
    ));
    await conn.write(new Uint8Array(300_000).fill(32));
    conn.close();
    await gw.recordsReached(13);
    // A body as large as the whole budget fits only when every call gave its room back.
    const last = await send(sized(limit));
    assert.equal(last.status, 200, await last.text());
    await gw.recordsReached(14);
  } finally {
    await gw.close();
  }
});
