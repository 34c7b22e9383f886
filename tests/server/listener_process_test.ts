/**
 * The gateway process under a descriptor shortage: `ulimit -n 256` and 300 connections that send half a
 * request head. Before the accept loop was the gateway's own, the first EMFILE ended the process.
 */
import assert from "node:assert/strict";
import { serveMock } from "../../src/mock/mod.ts";
import { MAIN } from "../_helpers/cli.ts";

const enc = new TextEncoder();

async function waitClosed(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(1024);
  try {
    while ((await conn.read(buf)) !== null) { /* the gateway answers nothing to half a head */ }
  } catch {
    // a reset is a close too
  }
  try {
    conn.close();
  } catch {
    // closed
  }
}

Deno.test({
  name: "gateway survives EMFILE, keeps serving and closes half-open sockets after server.header_timeout_ms",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const mock = serveMock({ apiKey: "mock-key" });
    await Deno.writeTextFile(
      `${dir}/config.yaml`,
      `server:
  data_dir: ${dir}/state
  header_timeout_ms: 1500
auth:
  keys: [{ id: t, key: env:TEST_CALLER_KEY }]
upstreams:
  - name: mock
    kind: azure
    endpoint: ${mock.url}
    auth: { type: api_key, key: env:TEST_MOCK_KEY }
    deployments: [gpt-4o-mini]
logs:
  dir: ${dir}/logs
  bodies: false
`,
    );
    const child = new Deno.Command("bash", {
      args: [
        "-c",
        `ulimit -n 256; exec "${Deno.execPath()}" run -A "${MAIN}" serve --port 0 -c "${dir}/config.yaml"`,
      ],
      env: { NO_COLOR: "1", TEST_CALLER_KEY: "caller-key", TEST_MOCK_KEY: "mock-key" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("listening on")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    const errText = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let err = "";
    const errDone = (async () => {
      for (;;) {
        const { value, done } = await errText.read();
        if (done) return;
        err += value;
      }
    })();
    try {
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      assert.ok(url, out);
      const port = Number(new URL(url).port);
      const sockets: Deno.Conn[] = [];
      for (let i = 0; i < 300; i++) {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        await conn.write(enc.encode("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"));
        sockets.push(conn);
      }
      const allClosed = Promise.all(sockets.map(waitClosed));
      const client = Deno.createHttpClient({});
      const res = await fetch(`${url}/v1/chat/completions`, {
        client,
        method: "POST",
        headers: { authorization: "Bearer caller-key", "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
      });
      assert.equal(res.status, 200);
      assert.equal((await res.json()).object, "chat.completion");
      client.close();
      await allClosed;
      const health = await fetch(`${url}/health`);
      assert.equal(health.status, 200);
      await health.body?.cancel();
      assert.match(err, /Cannot accept a connection; retrying/);
      assert.match(err, /Too many open files/);
      assert.match(err, /server\.max_connections \(10000\) is above what the open-file limit \(256\) allows/);
    } finally {
      child.kill("SIGTERM");
      const status = await child.status;
      await reader.cancel();
      await errDone;
      await mock.shutdown();
      await Deno.remove(dir, { recursive: true });
      assert.equal(status.code, 0, err);
    }
  },
});
