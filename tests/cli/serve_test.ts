import assert from "node:assert/strict";
import { serveCommand } from "../../src/cli/serve.ts";
import { MAIN } from "../_helpers/cli.ts";
import { fakeIo } from "../_helpers/cli.ts";

Deno.test("serve parseArgs() reads options and rejects bad ones", () => {
  assert.deepEqual(serveCommand.parseArgs(["-c", "a.yaml", "-p", "0", "--host", "::1", "--data-dir", "d"]), {
    config: "a.yaml",
    host: "::1",
    port: 0,
    dataDir: "d",
    detach: false,
    logFile: undefined,
  });
  assert.throws(() => serveCommand.parseArgs(["--port", "70000"]), /from 0 to 65535/);
  assert.throws(() => serveCommand.parseArgs(["--nope"]), /nope/);
  assert.throws(() => serveCommand.parseArgs(["extra"]), /extra/);
});

Deno.test("azmw serve starts on the embedded default and its curl example works (subprocess)", async () => {
  const dir = await Deno.makeTempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "serve", "--port", "0", "--data-dir", `${dir}/state`],
    cwd: dir,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("curl ")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  try {
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    assert.ok(url, out);
    const key = /Your local key \(shown once[^)]*\): (\S+)/.exec(out)?.[1];
    assert.ok(key?.startsWith("azmw_"), out);
    assert.equal((await Deno.readTextFile(`${dir}/state/local_key`)).trim(), key);
    assert.equal((await Deno.stat(`${dir}/state/local_key`)).mode! & 0o777, 0o600);
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] }),
    });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).object, "chat.completion");
    const health = await (await fetch(`${url}/health`)).json();
    assert.equal(health.status, "ok");
    // The admin UI: a generated admin token, printed once with the UI's URL, kept 0600 in the data dir.
    const admin = /Admin UI: (\S+) — admin token \(shown once, kept in [^)]*\): (\S+)/.exec(out);
    assert.ok(admin, out);
    assert.equal(admin[1], `${url}/admin/`);
    assert.equal((await Deno.readTextFile(`${dir}/state/admin_token`)).trim(), admin[2]);
    assert.equal((await Deno.stat(`${dir}/state/admin_token`)).mode! & 0o777, 0o600);
    const ui = await fetch(`${url}/admin/`, {
      headers: { authorization: `Basic ${btoa(`admin:${admin[2]}`)}` },
    });
    assert.equal(ui.status, 200);
    const page = await ui.text();
    assert.ok(page.includes("<h1>Overview</h1>"));
    assert.ok(page.includes("<td>gpt-4o-mini</td>"), "the call above is on the overview");
    const refused = await fetch(`${url}/admin/`, { redirect: "manual" });
    await refused.body?.cancel();
    assert.equal(refused.status, 303);
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    await reader.cancel();
    await child.stderr.cancel();
    assert.equal(status.code, 0);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve run() reports a port that is taken", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const dir = await Deno.makeTempDir();
  try {
    const io = fakeIo();
    const code = await serveCommand.run(
      {
        config: undefined,
        host: "127.0.0.1",
        port: (taken.addr as Deno.NetAddr).port,
        dataDir: dir,
        detach: false,
        logFile: undefined,
      },
      io,
    );
    assert.equal(code, 1);
    assert.match(io.err, /already in use/);
  } finally {
    taken.close();
    await Deno.remove(dir, { recursive: true });
  }
});
