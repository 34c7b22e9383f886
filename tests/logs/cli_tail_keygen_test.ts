import assert from "node:assert/strict";
import { UsageError } from "../../src/cli/command.ts";
import { logsCommand, logsKeygenCommand, logsTailCommand } from "../../src/cli/logs.ts";
import { summaryLine } from "../../src/cli/logs_tail.ts";
import { decodeKeyText, deriveKid } from "../../src/logs/keyring.ts";
import { logRecordOf } from "../../src/logs/record.ts";
import { openRequestLog } from "../../src/logs/request_log.ts";
import { fakeIo, runAzmw } from "../_helpers/cli.ts";
import { callRecord, keyEnv, logConfig } from "./_util.ts";

/** A fake io whose `until(text)` resolves once stdout contains `text`. */
function watchedIo() {
  const io = fakeIo();
  const waiters: { text: string; resolve: () => void }[] = [];
  const write = io.stdout.bind(io);
  io.stdout = (t: string) => {
    write(t);
    for (const w of waiters.splice(0)) io.out.includes(w.text) ? w.resolve() : waiters.push(w);
  };
  const until = (text: string) =>
    new Promise<void>((resolve) => io.out.includes(text) ? resolve() : waiters.push({ text, resolve }));
  return { io, until };
}

Deno.test("logsTailCommand.parseArgs() reads its options", () => {
  const a = logsTailCommand.parseArgs([
    "-f",
    "-n",
    "5",
    "--bodies",
    "--json",
    "--interval",
    "20",
    "--status",
    "5xx",
  ]);
  assert.deepEqual([a.follow, a.lines, a.bodies, a.json, a.intervalMs, a.status], [true, 5, true, true, 20, [
    "5xx",
  ]]);
  const d = logsTailCommand.parseArgs([]);
  assert.deepEqual([d.follow, d.lines, d.bodies, d.json, d.intervalMs], [false, 10, false, false, 500]);
  assert.throws(() => logsTailCommand.parseArgs(["-n", "x"]), UsageError);
  assert.throws(() => logsTailCommand.parseArgs(["--interval", "1"]), /from 10 to 60000/);
  assert.throws(() => logsTailCommand.parseArgs(["today"]), /Unexpected argument "today"/);
});

Deno.test("logsTailCommand.run() prints today's latest records, then follows new ones", async () => {
  const root = await Deno.makeTempDir();
  const { key, env } = keyEnv();
  await Deno.writeTextFile(`${root}/key`, key);
  const dir = `${root}/logs`;
  const config = logConfig(dir, { keys: [{ key: "env:LOG_KEY" }], flushIntervalMs: 5 });
  const ts = new Date().toISOString();
  const first = await openRequestLog(config, { env });
  for (const id of ["old-1", "old-2", "old-3"]) first.sink(callRecord({ id, ts }));
  await first.close();

  const { io, until } = watchedIo();
  const args = logsTailCommand.parseArgs([
    "-f",
    "-n",
    "2",
    "--dir",
    dir,
    "--key-file",
    `${root}/key`,
    "--bodies",
    "--interval",
    "10",
  ]);
  const running = logsTailCommand.run(args, io);
  await until("old-3");
  assert.ok(!io.out.includes("old-1"), "only the last -n records");
  assert.ok(io.out.includes("old-2"));
  assert.match(
    io.out,
    / {2}request: \{"model":"gpt-4o","messages":\[\{"role":"user","content":"Hello"\}\]\}\n/,
  );

  const second = await openRequestLog(config, { env });
  second.sink(callRecord({ id: "new-1", ts, status: 503 }));
  await second.close();
  await until("new-1");
  io.abort();
  assert.equal(await running, 0);
  assert.match(io.out, new RegExp(`${ts}  503  gpt-4o  dev/demo  812\\.5ms  12\\+5 tok  new-1\\n`));
  assert.equal(io.err, "");
});

Deno.test("logsTailCommand.run() without -f prints JSON metadata and exits", async () => {
  const dir = await Deno.makeTempDir();
  const log = await openRequestLog(logConfig(dir, { bodies: false }));
  const rec = callRecord({ id: "m", ts: new Date().toISOString(), stream: true });
  log.sink.started!(rec, 0.01);
  log.sink(rec);
  await log.close();
  const io = fakeIo();
  assert.equal(
    await logsTailCommand.run(logsTailCommand.parseArgs(["--json", "--dir", dir, "--data-dir", dir]), io),
    0,
  );
  assert.equal(JSON.parse(io.out).id, "m", "the stream's started entry is not shown");
  assert.equal(JSON.parse(io.out).request, null);
  assert.equal(io.err, "", "nor warned about");
});

Deno.test("summaryLine() shows errors, streams and anonymous callers", () => {
  const r = logRecordOf(
    callRecord({
      id: "x",
      caller: null,
      usage: null,
      stream: true,
      status: 401,
      error: { type: "auth", code: "c", message: "no key" },
    }),
    "gw",
  );
  assert.equal(
    summaryLine(r),
    "2025-12-14T10:00:00.000Z  401  gpt-4o  -  812.5ms  - tok  stream  x  auth: no key",
  );
});

Deno.test("logsKeygenCommand prints a new key, or writes it once with mode 0600", async () => {
  const io = fakeIo();
  assert.equal(await logsKeygenCommand.run(logsKeygenCommand.parseArgs([]), io), 0);
  const key = io.out.trim();
  assert.equal(decodeKeyText(key).length, 32);
  const again = fakeIo();
  await logsKeygenCommand.run({ out: undefined }, again);
  assert.notEqual(again.out.trim(), key);

  const path = `${await Deno.makeTempDir()}/log_key`;
  const w = fakeIo();
  assert.equal(await logsKeygenCommand.run(logsKeygenCommand.parseArgs(["--out", path]), w), 0);
  const written = (await Deno.readTextFile(path)).trim();
  assert.equal(
    w.out,
    `Wrote a new log key (id "${
      deriveKid(decodeKeyText(written))
    }") to ${path} (mode 0600)\nUse it with:  logs.keys: [{ key: "file:${path}" }]\n`,
  );
  assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  const twice = fakeIo();
  assert.equal(await logsKeygenCommand.run({ out: path }, twice), 1);
  assert.match(twice.err, /already exists; a key file is never overwritten/);
  assert.equal((await Deno.readTextFile(path)).trim(), written);
  assert.throws(() => logsKeygenCommand.parseArgs(["x"]), /Unexpected argument "x"/);
  assert.throws(() => logsKeygenCommand.parseArgs(["--out", ""]), /needs a file path/);
});

Deno.test("logsCommand lists the log commands", async () => {
  const io = fakeIo();
  assert.equal(await logsCommand.run(logsCommand.parseArgs([]), io), 2);
  assert.match(io.err, /logs decrypt .*\n.*logs tail .*\n.*logs keygen /);
  assert.throws(() => logsCommand.parseArgs(["nope"]), /Unknown logs command "nope"/);
});

Deno.test("azmw logs commands have --help (subprocess)", async (t) => {
  const cases: [string[], RegExp[]][] = [
    [["logs", "--help"], [/^Read and manage the encrypted request logs/, /logs decrypt/]],
    [["logs", "decrypt", "--help"], [
      /^Write request log records/,
      /--from DAY/,
      /--key-file FILE/,
      /Exit codes:/,
    ]],
    [["logs", "tail", "-h"], [/^Show the latest request log records/, /-f, --follow/, /--bodies/]],
    [["logs", "keygen", "--help"], [/^Generate a new request-log sealing key/, /--out FILE/]],
  ];
  for (const [argv, patterns] of cases) {
    await t.step(argv.join(" "), async () => {
      const r = await runAzmw(argv);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      for (const p of patterns) assert.match(r.stdout, p);
    });
  }
  await t.step("a bad day is a usage error", async () => {
    const r = await runAzmw(["logs", "decrypt", "../x"]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      'azmw logs decrypt: Invalid day "../x": expected YYYYMMDD, e.g. "20251214"\nRun "azmw logs decrypt --help" for usage.\n',
    );
  });
});
