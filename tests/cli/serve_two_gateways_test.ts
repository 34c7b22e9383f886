/** Two gateways started from one working directory: each keeps its own request logs, or the second refuses. */
import assert from "node:assert/strict";
import { serveCommand } from "../../src/cli/serve.ts";
import { fakeIo } from "../_helpers/cli.ts";

function started(io: ReturnType<typeof fakeIo>): Promise<void> {
  return new Promise((resolve) => {
    const write = io.stdout.bind(io);
    io.stdout = (t: string) => {
      write(t);
      if (io.out.includes("listening on")) resolve();
    };
  });
}

const args = (dataDir: string, config?: string) => ({
  config,
  host: "127.0.0.1",
  port: 0,
  dataDir,
  detach: false,
  logFile: undefined,
});

Deno.test("two embedded gateways with their own --data-dir log into their own folders", async () => {
  const dir = await Deno.makeTempDir();
  const cwd = Deno.cwd();
  Deno.chdir(dir);
  const a = fakeIo();
  const b = fakeIo();
  try {
    const upA = started(a);
    const runA = serveCommand.run(args(`${dir}/a`), a);
    await upA;
    const upB = started(b);
    const runB = serveCommand.run(args(`${dir}/b`), b);
    await upB;
    for (const [io, side] of [[a, "a"], [b, "b"]] as const) {
      const url = /listening on (\S+)/.exec(io.out)![1];
      const key = (await Deno.readTextFile(`${dir}/${side}/local_key`)).trim();
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
      });
      assert.equal(res.status, 200);
      await res.body?.cancel();
    }
    a.abort();
    b.abort();
    assert.equal(await runA, 0);
    assert.equal(await runB, 0);
    for (const side of ["a", "b"]) {
      const days = [...Deno.readDirSync(`${dir}/${side}/logs`)].filter((e) => e.isDirectory);
      assert.equal(days.length, 1, side);
      const files = [...Deno.readDirSync(`${dir}/${side}/logs/${days[0]!.name}`)];
      const lines = files.map((f) => Deno.readTextFileSync(`${dir}/${side}/logs/${days[0]!.name}/${f.name}`))
        .join("").trim().split("\n");
      assert.equal(lines.length, 1, side);
    }
    assert.throws(() => Deno.statSync(`${dir}/logs`), Deno.errors.NotFound);
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a second gateway on the same logs.dir and instance refuses to start", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/config.yaml`,
    `server: { instance: gw }
auth: { keys: [{ id: k, key: env:TEST_CALLER_KEY }] }
upstreams:
  - { name: u, kind: openai, base_url: "http://127.0.0.1:9/v1", deployments: [m] }
logs: { dir: ${dir}/shared-logs, bodies: false }
`,
  );
  const a = fakeIo({ TEST_CALLER_KEY: "caller-key-123" });
  const b = fakeIo({ TEST_CALLER_KEY: "caller-key-123" });
  try {
    const upA = started(a);
    const runA = serveCommand.run(args(`${dir}/a`, `${dir}/config.yaml`), a);
    await upA;
    assert.equal(await serveCommand.run(args(`${dir}/b`, `${dir}/config.yaml`), b), 1);
    assert.match(
      b.err,
      new RegExp(`Another azmw process \\(pid ${Deno.pid}\\) is writing the request logs in`),
    );
    assert.match(b.err, /as instance "gw"/);
    a.abort();
    assert.equal(await runA, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
