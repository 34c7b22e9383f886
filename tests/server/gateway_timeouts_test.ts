import assert from "node:assert/strict";
import { serveMock } from "../../src/mock/mod.ts";
import { createAppLog } from "../../src/observability/app_log.ts";
import { startGateway } from "../../src/server/gateway.ts";
import { CALLER_KEY, CALLER_SHA, UPSTREAM_KEY } from "../_helpers/app.ts";
import { azureUpstream, testConfig } from "../_helpers/config.ts";
import { configKeys } from "../_helpers/callers.ts";

const enc = new TextEncoder();

async function readAll(conn: Deno.Conn): Promise<string> {
  const buf = new Uint8Array(4096);
  let out = "";
  for (;;) {
    let n: number | null;
    try {
      n = await conn.read(buf);
    } catch {
      break;
    }
    if (n === null) break;
    out += new TextDecoder().decode(buf.subarray(0, n));
  }
  conn.close();
  return out;
}

Deno.test("gateway answers a stalled request body with 408 after server.body_idle_timeout_ms and closes", async () => {
  const mock = serveMock({ apiKey: UPSTREAM_KEY });
  const config = testConfig([azureUpstream(mock.url)], { bodyIdleTimeoutMs: 200 });
  config.auth.keys = [{ id: "dev", sha256: CALLER_SHA }];
  const log = createAppLog(() => {});
  const env = (n: string) => n === "TEST_UPSTREAM_KEY" ? UPSTREAM_KEY : undefined;
  const gw = await startGateway(config, { log, env, callers: configKeys() });
  try {
    const port = Number(new URL(gw.url).port);
    for (const framing of ["content-length: 100", "transfer-encoding: chunked"]) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      const first = framing.startsWith("content") ? '{"model":' : '9\r\n{"model":\r\n';
      await conn.write(enc.encode(
        `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${CALLER_KEY}\r\n` +
          `content-type: application/json\r\n${framing}\r\n\r\n${first}`,
      ));
      const t0 = performance.now();
      const text = await readAll(conn);
      // Closed by the gateway, long before server.header_timeout_ms (30 s) would close an idle connection.
      assert.ok(performance.now() - t0 < 10_000, framing);
      assert.match(text, /^HTTP\/1\.1 408 /, framing);
      assert.match(text, /connection: close/i, framing);
      const body = JSON.parse(text.slice(text.indexOf("{")));
      assert.equal(body.error.code, "request_body_timeout", framing);
    }
    // Other clients are served meanwhile and afterwards.
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${CALLER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    assert.match(metrics, /\nazmw_client_connections_timed_out_total [12]\n/); // the chunked one at least
    assert.match(metrics, /\nazmw_client_connections [1-9]\d*\n/);
    assert.match(metrics, /\nazmw_accept_errors_total 0\n/);
  } finally {
    await gw.shutdown(1000);
    await mock.shutdown();
  }
});
