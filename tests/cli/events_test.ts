import assert from "node:assert/strict";
import { dispatchCommand } from "../../src/cli/dispatch.ts";
import { eventsReplayCommand } from "../../src/cli/events.ts";
import { UsageError } from "../../src/core/command.ts";
import { logRecord, writeDay } from "../cost/_util.ts";
import { runAzmw } from "../_helpers/cli.ts";

Deno.test("azmw dispatch --help and azmw events replay --help print their usage", async () => {
  const d = await runAzmw(["dispatch", "--help"]);
  assert.equal(d.code, 0);
  assert.match(d.stdout, /^Usage: azmw dispatch --sink NAME/);
  assert.match(d.stdout, /XAUTOCLAIM|claimed by another/);
  const r = await runAzmw(["events", "replay", "--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Usage: azmw events replay --from YYYYMMDD --to YYYYMMDD --sink NAME/);
  const main = await runAzmw(["--help"]);
  assert.match(main.stdout, /dispatch\s+Deliver events/);
  assert.match(main.stdout, /events replay\s+Re-emit/);
});

Deno.test("dispatch and events replay reject bad arguments", () => {
  assert.throws(
    () => dispatchCommand.parseArgs([]),
    (e: Error) => e instanceof UsageError && /--sink/.test(e.message),
  );
  assert.throws(() => dispatchCommand.parseArgs(["--sink", "x", "--block-ms", "0"]), UsageError);
  assert.deepEqual(dispatchCommand.parseArgs(["--sink", "x"]), {
    sink: "x",
    config: undefined,
    consumer: undefined,
    blockMs: 1000,
  });
  assert.throws(() => eventsReplayCommand.parseArgs(["--from", "20261201", "--to", "20261202"]), /--sink/);
  assert.throws(
    () => eventsReplayCommand.parseArgs(["--from", "2026-12-01", "--to", "20261202", "--sink", "s"]),
    /--from/,
  );
  assert.throws(
    () => eventsReplayCommand.parseArgs(["--from", "20261203", "--to", "20261202", "--sink", "s"]),
    /is after/,
  );
});

Deno.test("azmw events replay delivers logged calls to a file sink", async () => {
  const dir = await Deno.makeTempDir();
  await writeDay(`${dir}/logs`, "20261201", [logRecord({ id: "r1" }), logRecord({ id: "r2" })]);
  const config = `upstreams:
  - { name: u, kind: openai, deployments: [m] }
logs: { dir: ${dir}/logs, bodies: false }
events:
  dead_letter_dir: ${dir}/dl
  sinks:
    - { type: file, name: archive, path: ${dir}/ev }
`;
  await Deno.writeTextFile(`${dir}/c.yaml`, config);
  const out = await runAzmw([
    "events",
    "replay",
    "--from",
    "20261201",
    "--to",
    "20261202",
    "--sink",
    "archive",
    "-c",
    `${dir}/c.yaml`,
  ]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(
    out.stdout,
    /Replayed 2 call\(s\) from 1 day\(s\) to sink "archive": 2 delivered, 0 dead-lettered/,
  );
  const files = [...Deno.readDirSync(`${dir}/ev`)].map((e) => e.name);
  assert.equal(files.length, 1);
  const unknown = await runAzmw([
    "events",
    "replay",
    "--from",
    "20261201",
    "--to",
    "20261201",
    "--sink",
    "nope",
    "-c",
    `${dir}/c.yaml`,
  ]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /Unknown sink "nope": the configured sinks are "archive"/);
  const dispatch = await runAzmw(["dispatch", "--sink", "archive", "-c", `${dir}/c.yaml`]);
  assert.equal(dispatch.code, 1);
  assert.match(dispatch.stderr, /events.bus is "memory".*dispatch needs "redis"/);
});

Deno.test("azmw dispatch delivers a gateway's stream to a webhook until SIGTERM", async () => {
  const { receiver, events } = await import("../events/_helpers.ts");
  const { connectRedis } = await import("../../src/events/redis_client.ts");
  const { createStreamSink } = await import("../../src/events/redis_bus.ts");
  const { MAIN } = await import("../_helpers/cli.ts");
  const prefix = `azmw-test:${crypto.randomUUID()}:`;
  const dir = await Deno.makeTempDir();
  const r = receiver();
  const { client, ready } = await connectRedis("redis://127.0.0.1:6379");
  await ready;
  try {
    await createStreamSink(client, { prefix, instance: "gw1", maxLen: 1_000 }).deliver(
      events(7),
      new AbortController().signal,
    );
    await Deno.writeTextFile(
      `${dir}/c.yaml`,
      `upstreams:
  - { name: u, kind: openai, deployments: [m] }
shared: { redis: "redis://127.0.0.1:6379" }
events:
  bus: redis
  dead_letter_dir: ${dir}/dl
  redis: { prefix: "${prefix}" }
  sinks:
    - { type: webhook, url: "${r.url}/in", secret: env:HOOK_SECRET, flush_interval_ms: 1 }
`,
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "dispatch", "--sink", "webhook", "-c", `${dir}/c.yaml`, "--block-ms", "50"],
      env: { HOOK_SECRET: "whsec_AQIDBA==" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    await r.reached(1);
    child.kill("SIGTERM");
    const out = await child.output();
    const text = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.match(text, /delivering to sink "webhook" as consumer ".+" of "sink:webhook"/);
    assert.match(text, /stopped; 7 event\(s\) delivered, 0 dead-lettered, 0 retries/);
    const ids = r.received.flatMap((x) => JSON.parse(x.body).map((e: { id: string }) => e.id));
    assert.deepEqual(ids, events(7).map((e) => e.id));
    assert.ok(r.received[0]!.req.headers.get("webhook-signature")?.startsWith("v1,"));
  } finally {
    await r.close();
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(keys);
    client.destroy();
  }
});

Deno.test("a dispatcher killed (SIGKILL) mid-batch loses nothing: the next one claims its entries", async () => {
  const { events } = await import("../events/_helpers.ts");
  const { connectRedis } = await import("../../src/events/redis_client.ts");
  const { createStreamSink } = await import("../../src/events/redis_bus.ts");
  const { MAIN } = await import("../_helpers/cli.ts");
  const prefix = `azmw-test:${crypto.randomUUID()}:`;
  const dir = await Deno.makeTempDir();
  const bodies: string[] = [];
  const first = Promise.withResolvers<void>();
  const never = Promise.withResolvers<void>();
  const all = Promise.withResolvers<void>();
  const ids = () => new Set(bodies.flatMap((b) => JSON.parse(b).map((e: { id: string }) => e.id)));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    bodies.push(await req.text());
    if (ids().size === 20) all.resolve();
    if (bodies.length === 1) {
      first.resolve();
      await never.promise; // the first dispatcher dies waiting for this answer
    }
    return new Response("ok");
  });
  const { client, ready } = await connectRedis("redis://127.0.0.1:6379");
  await ready;
  const spawn = () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "dispatch", "--sink", "webhook", "-c", `${dir}/c.yaml`, "--block-ms", "20"],
      stdout: "null",
      stderr: "null",
    }).spawn();
  try {
    await createStreamSink(client, { prefix, instance: "gw1", maxLen: 1_000 }).deliver(
      events(20),
      new AbortController().signal,
    );
    await Deno.writeTextFile(
      `${dir}/c.yaml`,
      `upstreams:
  - { name: u, kind: openai, deployments: [m] }
shared: { redis: "redis://127.0.0.1:6379" }
events:
  bus: redis
  dead_letter_dir: ${dir}/dl
  redis: { prefix: "${prefix}", claim_idle_ms: 0 }
  sinks:
    - { type: webhook, url: "http://127.0.0.1:${server.addr.port}/in", batch_size: 8, timeout_ms: 60000 }
`,
    );
    const doomed = spawn();
    await first.promise;
    doomed.kill("SIGKILL");
    await doomed.status;
    const survivor = spawn();
    await all.promise;
    survivor.kill("SIGTERM");
    assert.equal((await survivor.status).code, 0);
    assert.deepEqual([...ids()].sort(), events(20).map((e) => e.id).sort());
    // The doomed batch arrived again, each event with the same id and content.
    const seen = new Map<string, string>();
    for (const e of bodies.flatMap((b) => JSON.parse(b) as { id: string }[])) {
      const text = JSON.stringify(e);
      assert.equal(seen.get(e.id) ?? text, text);
      seen.set(e.id, text);
    }
    assert.ok(bodies.flatMap((b) => JSON.parse(b)).length > 20);
  } finally {
    never.resolve();
    await server.shutdown();
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(keys);
    client.destroy();
  }
});
