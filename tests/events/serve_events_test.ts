/** `azmw serve` with a signed webhook sink: call, reload and caller-change events reach a local receiver. */
import assert from "node:assert/strict";
import { serveMock } from "../../src/mock/mod.ts";
import { verifyWebhook } from "../../src/events/sign.ts";
import { CALLER_KEY, CALLER_SHA, UPSTREAM_KEY } from "../_helpers/app.ts";
import { MAIN } from "../_helpers/cli.ts";
import { receiver } from "./_helpers.ts";

const SECRET = "whsec_c2VjcmV0LWtleS1vZi10aGUtdGVzdA==";

Deno.test("azmw serve emits signed events for calls, reloads and caller changes (subprocess)", async () => {
  const mock = serveMock({ apiKey: UPSTREAM_KEY });
  const r = receiver();
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/c.yaml`,
    `server: { instance: gw1, data_dir: ${dir}/state }
auth: { keys: [{ id: dev, sha256: "${CALLER_SHA}", project: demo }] }
upstreams:
  - { name: mock, kind: openai, base_url: "${mock.url}/v1", auth: { type: bearer, key: env:UP }, deployments: [gpt-4o-mini] }
logs: { dir: ${dir}/logs, bodies: false }
manage: { token: env:MANAGE }
events:
  dead_letter_dir: ${dir}/dl
  watch_interval_ms: 20
  sinks:
    - { type: webhook, url: "${r.url}/in", secret: env:HOOK_SECRET, flush_interval_ms: 1 }
`,
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "serve", "-c", `${dir}/c.yaml`, "--port", "0"],
    env: { NO_COLOR: "1", UP: UPSTREAM_KEY, MANAGE: "manage-secret", HOOK_SECRET: SECRET },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("listening on")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  const events = () =>
    r.received.flatMap((x) =>
      JSON.parse(x.body) as { type: string; id: string; data: Record<string, unknown> }[]
    );
  const arrived = async (type: string) => {
    while (!events().some((e) => e.type === type)) await r.reached(r.received.length + 1);
    return events().find((e) => e.type === type)!;
  };
  try {
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    assert.ok(url, out);
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${CALLER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "a private prompt" }],
      }),
    });
    assert.equal(res.status, 200);
    await res.text();
    const call = await arrived("azmw.call.completed");
    assert.equal(call.data.model, "gpt-4o-mini");
    assert.deepEqual(call.data.caller, { key_id: "dev", project: "demo", token_id: null });
    assert.ok(!JSON.stringify(call).includes("private prompt"));

    const created = await fetch(`${url}/manage/projects`, {
      method: "POST",
      headers: { authorization: "Bearer manage-secret", "content-type": "application/json" },
      body: JSON.stringify({ name: "newproj" }),
    });
    assert.equal(created.status, 201, await created.text());
    const changed = await arrived("azmw.caller.changed");
    assert.equal(changed.data.action, "project.create");

    child.kill("SIGHUP");
    await arrived("azmw.config.reloaded");
    for (const got of r.received) {
      const ok = await verifyWebhook(SECRET, {
        id: got.req.headers.get("webhook-id")!,
        timestamp: got.req.headers.get("webhook-timestamp")!,
        signature: got.req.headers.get("webhook-signature")!,
        body: got.body,
      });
      assert.ok(ok);
    }
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    await reader.cancel();
    assert.equal(status.code, 0);
    await r.close();
    await mock.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
