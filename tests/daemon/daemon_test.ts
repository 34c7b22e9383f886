/**
 * Process-level tests of the daemon: `serve -d`, `status`, `reload` (good and bad config), `stop` while a
 * stream is open, and a stale pid file left by SIGKILL.
 */
import assert from "node:assert/strict";
import { serveMock } from "../../src/mock/mod.ts";
import { readPidFile } from "../../src/daemon/pidfile.ts";
import { runAzmw } from "../_helpers/cli.ts";

const CALLER = "azmw_daemon_test_caller_key";
const UPSTREAM = "daemon-test-upstream-key";

let logsDir = "";

function configYaml(mockUrl: string, extraDeployment = ""): string {
  return `server:
  shutdown_grace_ms: 10000
logs:
  dir: ${logsDir}/logs
  keys:
    - key: file:${logsDir}/log_key
auth:
  keys:
    - id: dev
      key: env:DAEMON_TEST_CALLER
upstreams:
  - name: mock
    kind: azure
    endpoint: ${mockUrl}
    auth: { type: api_key, key: env:DAEMON_TEST_UPSTREAM }
    deployments:
      - name: gpt-4o-prod
        model: gpt-4o
${extraDeployment}`;
}

const ENV = { DAEMON_TEST_CALLER: CALLER, DAEMON_TEST_UPSTREAM: UPSTREAM };

Deno.test("serve -d, status, reload, stop with an open stream, stale pid (subprocess)", async (t) => {
  const mock = serveMock({ apiKey: UPSTREAM });
  const dir = await Deno.makeTempDir();
  logsDir = dir;
  await Deno.writeTextFile(
    `${dir}/log_key`,
    btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))),
  );
  const cfg = `${dir}/config.yaml`;
  await Deno.writeTextFile(cfg, configYaml(mock.url));
  const azmw = (...args: string[]) => runAzmw(args, { env: ENV, cwd: dir });
  try {
    let url = "";
    await t.step("serve -d starts, writes the pid file and returns", async () => {
      const r = await azmw("serve", "-d", "--config", cfg, "--port", "0", "--data-dir", `${dir}/data`);
      assert.equal(r.code, 0, r.stderr);
      url = /running at (\S+) \(pid (\d+)\)/.exec(r.stdout)?.[1] ?? "";
      assert.ok(url.startsWith("http://127.0.0.1:"), r.stdout);
      const info = await readPidFile(`${dir}/data/azmw.pid`);
      assert.equal(info?.url, url);
    });
    await t.step("a second serve -d refuses: already running", async () => {
      const r = await azmw("serve", "-d", "--config", cfg, "--port", "0", "--data-dir", `${dir}/data`);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /already running/);
    });
    await t.step("calls work and status reports the gateway", async () => {
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${CALLER}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
      });
      assert.equal(res.status, 200);
      await res.body?.cancel();
      const s = await azmw("status", "--data-dir", `${dir}/data`, "--json");
      assert.equal(s.code, 0, s.stderr);
      const j = JSON.parse(s.stdout);
      assert.equal(j.url, url);
      assert.equal(j.health.status, "ok");
    });
    await t.step("reload with a bad config is refused and the old one stays live", async () => {
      await Deno.writeTextFile(cfg, configYaml(mock.url).replace("kind: azure", "kind: nope"));
      const r = await azmw("reload", "--data-dir", `${dir}/data`);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /upstreams\[0\]\.kind/);
      const models = await (await fetch(`${url}/v1/models`, { headers: { "api-key": CALLER } })).json();
      assert.deepEqual(models.data.map((m: { id: string }) => m.id), ["gpt-4o"]);
    });
    await t.step("reload with a good config makes it live", async () => {
      await Deno.writeTextFile(cfg, configYaml(mock.url, "      - name: gpt-4.1\n"));
      const r = await azmw("reload", "--data-dir", `${dir}/data`);
      assert.equal(r.code, 0, r.stderr);
      const models = await (await fetch(`${url}/v1/models`, { headers: { "api-key": CALLER } })).json();
      assert.deepEqual(models.data.map((m: { id: string }) => m.id), ["gpt-4o", "gpt-4.1"]);
    });
    await t.step("stop while a stream is open: the stream completes, then the process exits", async () => {
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${CALLER}`,
          "content-type": "application/json",
          "x-mock-chunks": "20",
          "x-mock-chunk-delay-ms": "50",
        },
        body: JSON.stringify({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: "hi" }] }),
      });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = (await reader.read()).value ?? "";
      const stopping = azmw("stop", "--data-dir", `${dir}/data`);
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      assert.ok(text.trimEnd().endsWith("data: [DONE]"), "the open stream finished");
      assert.equal((text.match(/"content":"This is mock reply/g) ?? []).length, 20);
      const r = await stopping;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /stopped/);
      assert.equal(await readPidFile(`${dir}/data/azmw.pid`), null, "the pid file is removed");
      const out = await Deno.readTextFile(`${dir}/data/azmw.out`);
      assert.match(out, /"msg":"Gateway stopped"/);
      const days = [];
      for await (const d of Deno.readDir(`${dir}/logs`)) if (d.isDirectory) days.push(d.name);
      const lines = [];
      for (const day of days) {
        for await (const f of Deno.readDir(`${dir}/logs/${day}`)) {
          lines.push(...(await Deno.readTextFile(`${dir}/logs/${day}/${f.name}`)).trim().split("\n"));
        }
      }
      const streamed = lines.map((l) => JSON.parse(l)).filter((r) => r.stream === true);
      assert.equal(streamed.length, 1, "the stream's record was written before exit");
      assert.equal(streamed[0].status, 200);
      assert.ok(streamed[0].usage.completion_tokens > 0);
      assert.ok(!lines.join("").includes(CALLER), "no caller key in the request log");
      assert.ok(!out.includes(CALLER) && !out.includes(UPSTREAM), "no secret in the output");
    });
    await t.step("after SIGKILL the stale pid file is handled by the next start", async () => {
      await Deno.writeTextFile(cfg, configYaml(mock.url));
      const r = await azmw("serve", "-d", "--config", cfg, "--port", "0", "--data-dir", `${dir}/data`);
      assert.equal(r.code, 0, r.stderr);
      const info = await readPidFile(`${dir}/data/azmw.pid`);
      Deno.kill(info!.pid, "SIGKILL");
      for (let i = 0; i < 50; i++) {
        const ps = new Deno.Command("ps", { args: ["-o", "stat=", "-p", String(info!.pid)], stdout: "piped" })
          .outputSync();
        const stat = new TextDecoder().decode(ps.stdout).trim();
        if (stat === "" || stat.startsWith("Z")) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const st = await azmw("status", "--data-dir", `${dir}/data`);
      assert.equal(st.code, 3);
      assert.match(st.stdout, /stale pid file/);
      const again = await azmw("serve", "-d", "--config", cfg, "--port", "0", "--data-dir", `${dir}/data`);
      assert.equal(again.code, 0, again.stderr);
      const stop = await azmw("stop", "--data-dir", `${dir}/data`);
      assert.equal(stop.code, 0);
    });
  } finally {
    await azmw("stop", "--data-dir", `${dir}/data`);
    await mock.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve -d reports why the gateway could not start", async () => {
  const dir = await Deno.makeTempDir();
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  logsDir = dir;
  await Deno.writeTextFile(
    `${dir}/log_key`,
    btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))),
  );
  try {
    const cfg = `${dir}/config.yaml`;
    await Deno.writeTextFile(cfg, configYaml("http://127.0.0.1:9"));
    const port = String((taken.addr as Deno.NetAddr).port);
    const r = await runAzmw(["serve", "-d", "--config", cfg, "--port", port, "--data-dir", `${dir}/data`], {
      env: ENV,
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already in use/);
    const bad = await runAzmw(
      ["serve", "-d", "--config", `${dir}/missing.yaml`, "--data-dir", `${dir}/data`],
      { env: ENV },
    );
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /missing\.yaml/);
  } finally {
    taken.close();
    await Deno.remove(dir, { recursive: true });
  }
});
