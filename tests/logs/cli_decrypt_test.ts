import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { UsageError } from "../../src/cli/command.ts";
import { logsDecryptCommand } from "../../src/cli/logs.ts";
import { openRequestLog } from "../../src/logs/request_log.ts";
import { fakeIo, runAzmw } from "../_helpers/cli.ts";
import { callRecord, keyEnv, logConfig } from "./_util.ts";

const parse = (argv: string[]) => logsDecryptCommand.parseArgs(argv);

/** Writes records to `<tmp>/logs` sealed with a fresh key saved in `<tmp>/key`. */
async function fixture(records = [
  callRecord({ id: "a" }),
  callRecord({
    id: "b",
    model: "gpt-4.1",
    status: 500,
    caller: { keyId: "ci", project: null, tokenId: null },
  }),
  callRecord({ id: "c", ts: "2025-12-15T08:00:00.000Z", status: "client_closed" }),
]) {
  const root = await Deno.makeTempDir();
  const { key, env } = keyEnv();
  await Deno.writeTextFile(`${root}/key`, key);
  const log = await openRequestLog(logConfig(`${root}/logs`, { keys: [{ key: "env:LOG_KEY" }] }), { env });
  for (const r of records) log.sink(r);
  await log.close();
  return { root, dir: `${root}/logs`, key };
}

async function decrypt(argv: string[], env: Record<string, string> = {}) {
  const io = fakeIo(env);
  const code = await logsDecryptCommand.run(parse(argv), io);
  const lines = io.out.split("\n").filter((l) => l !== "");
  return { code, out: io.out, err: io.err, records: lines.map((l) => JSON.parse(l)) };
}

Deno.test("logsDecryptCommand.parseArgs() reads days, ranges and filters", async (t) => {
  await t.step("a day", () => {
    const a = parse(["20251214"]);
    assert.deepEqual([a.from, a.to, a.single, a.pretty, a.keyFiles], [
      "20251214",
      "20251214",
      true,
      false,
      [],
    ]);
  });
  await t.step("a range and every option", () => {
    const a = parse([
      "--from=20251201",
      "--to",
      "20251207",
      "--out",
      "x.jsonl",
      "--pretty",
      "--model",
      "gpt-4o",
      "--key",
      "dev",
      "--project",
      "p",
      "--status",
      "200,5xx,client_closed",
      "-c",
      "c.yaml",
      "--key-file",
      "k1",
      "--key-file",
      "k2",
      "--data-dir",
      "d",
      "--dir",
      "l",
      "--instance",
      "gw1",
    ]);
    assert.deepEqual(a, {
      config: "c.yaml",
      keyFiles: ["k1", "k2"],
      dataDir: "d",
      dir: "l",
      instance: "gw1",
      from: "20251201",
      to: "20251207",
      single: false,
      out: "x.jsonl",
      pretty: true,
      model: "gpt-4o",
      key: "dev",
      project: "p",
      status: ["200", "5xx", "client_closed"],
    });
  });
  await t.step("--from alone runs to today", () => assert.equal(parse(["--from", "20251201"]).to, undefined));
  const bad: [string[], string][] = [
    [[], "Missing the day (YYYYMMDD)"],
    [["--to", "20251201"], 'Option "--to" needs "--from"'],
    [["2025-12-14"], 'Invalid day "2025-12-14": expected YYYYMMDD, e.g. "20251214"'],
    [["../../../etc/passwd"], 'Invalid day "../../../etc/passwd": expected YYYYMMDD, e.g. "20251214"'],
    [["20251314"], 'Invalid day "20251314": not a calendar day'],
    [["20251214", "20251215"], 'Unexpected argument "20251215"'],
    [["20251214", "--from", "20251201"], 'Give a day or "--from"/"--to", not both'],
    [["--from", "20251207", "--to", "20251201"], 'Invalid day range: "20251207" is after "20251201"'],
    [
      ["20251214", "--status", "ok"],
      'Option "--status" expects codes, classes or client_closed such as "200,5xx", got "ok"',
    ],
    [["20251214", "--bogus"], 'Unknown option "--bogus"'],
    [["20251214", "--out"], 'Option "--out" needs a value'],
    [["20251214", "--pretty=yes"], 'Option "--pretty" takes no value'],
    [["20251214", "--instance", "a/b"], 'Option "--instance" expects letters, digits, _ or -, got "a/b"'],
  ];
  for (const [argv, message] of bad) {
    await t.step(argv.join(" ") || "(nothing)", () => {
      assert.throws(
        () => parse(argv),
        (err: unknown) => err instanceof UsageError && err.message === message,
      );
    });
  }
});

Deno.test("logsDecryptCommand.run() writes a day as JSONL with bodies opened", async () => {
  const { root, dir } = await fixture();
  const { code, records, err } = await decrypt(["20251214", "--dir", dir, "--key-file", `${root}/key`]);
  assert.equal(err, "");
  assert.equal(code, 0);
  assert.deepEqual(records.map((r) => r.id), ["a", "b"]);
  assert.deepEqual(records[0].request, { model: "gpt-4o", messages: [{ role: "user", content: "Hello" }] });
  assert.equal(records[0].response.choices[0].message.content, "Hi there");
});

Deno.test("logsDecryptCommand.run() filters, ranges, pretty-prints and writes files", async (t) => {
  const { root, dir } = await fixture();
  const base = ["--dir", dir, "--key-file", `${root}/key`];
  await t.step("filters", async () => {
    assert.deepEqual((await decrypt(["20251214", ...base, "--model", "gpt-4.1"])).records.map((r) => r.id), [
      "b",
    ]);
    assert.deepEqual(
      (await decrypt(["20251214", ...base, "--model", "gpt-4o-prod"])).records.map((r) => r.id),
      ["a", "b"],
    );
    assert.deepEqual((await decrypt(["20251214", ...base, "--key", "dev"])).records.map((r) => r.id), ["a"]);
    assert.deepEqual((await decrypt(["20251214", ...base, "--project", "demo"])).records.map((r) => r.id), [
      "a",
    ]);
    assert.deepEqual((await decrypt(["20251214", ...base, "--status", "5xx"])).records.map((r) => r.id), [
      "b",
    ]);
    assert.deepEqual((await decrypt(["20251214", ...base, "--status", "200"])).records.map((r) => r.id), [
      "a",
    ]);
  });
  await t.step("a range skips missing days", async () => {
    const r = await decrypt(["--from", "20251210", "--to", "20251216", ...base, "--status", "client_closed"]);
    assert.deepEqual(r.records.map((x) => x.id), ["c"]);
    assert.equal(r.code, 0);
  });
  await t.step("--pretty", async () => {
    const io = fakeIo();
    await logsDecryptCommand.run(parse(["20251214", ...base, "--pretty", "--key", "dev"]), io);
    assert.match(io.out, /^\{\n {2}"v": 1,\n {2}"id": "a",/);
    assert.equal(JSON.parse(io.out).id, "a");
  });
  await t.step("--out writes a 0600 file", async () => {
    const io = fakeIo();
    const out = `${root}/out.jsonl`;
    assert.equal(await logsDecryptCommand.run(parse(["20251214", ...base, "--out", out]), io), 0);
    assert.equal(io.out, "");
    assert.equal(io.err, `Wrote 2 records to ${out}\n`);
    assert.equal((await Deno.stat(out)).mode! & 0o777, 0o600);
    assert.equal((await Deno.readTextFile(out)).trim().split("\n").length, 2);
  });
});

Deno.test("logsDecryptCommand.run() reports bad records per line and goes on", async (t) => {
  const { root, dir, key } = await fixture([
    callRecord({ id: "a" }),
    callRecord({ id: "b" }),
    callRecord({ id: "c" }),
  ]);
  const file = `${dir}/20251214/requests-gw1.jsonl`;
  const [a, b, c] = (await Deno.readTextFile(file)).trim().split("\n").map((l) => JSON.parse(l));
  // Tamper: flip a ciphertext byte of a, swap b's request with c's.
  const ct = Buffer.from(a.request.ct, "base64");
  ct[0]! ^= 1;
  a.request.ct = ct.toString("base64");
  [b.request, c.request] = [c.request, b.request];
  await Deno.writeTextFile(
    file,
    [a, b, c].map((r) => JSON.stringify(r)).join("\n") + "\n" + '{"v":1,"id":"torn","ts":"2025-',
  );
  const base = ["20251214", "--dir", dir];

  await t.step("tampered and swapped fields", async () => {
    const r = await decrypt([...base, "--key-file", `${root}/key`]);
    assert.equal(r.code, 1);
    assert.deepEqual(r.records.map((x) => x.id), ["a", "b", "c"]);
    assert.equal(r.records[0].request.alg, "A256GCM", "a field that does not open stays sealed");
    assert.equal(r.records[0].response.choices[0].message.content, "Hi there", "the other field still opens");
    const errs = r.err.split("\n");
    assert.ok(errs.includes('Cannot decrypt log record "a": authentication tag mismatch in "request"'));
    assert.ok(errs.includes('Cannot decrypt log record "b": authentication tag mismatch in "request"'));
    assert.ok(errs.includes('Cannot decrypt log record "c": authentication tag mismatch in "request"'));
    assert.match(
      r.err,
      /Warning: Skipped a torn last line in .*requests-gw1\.jsonl \(line 4, 30 characters\)/,
    );
    assert.match(r.err, /3 of 3 records could not be fully decrypted\n$/);
  });
  await t.step("a wrong key", async () => {
    await Deno.writeTextFile(`${root}/other`, keyEnv().key);
    const r = await decrypt([...base, "--key-file", `${root}/other`]);
    assert.equal(r.code, 1);
    assert.equal(r.records.length, 3);
    assert.match(r.err, /Cannot decrypt log record "a": no key with id "k[0-9a-f]{8}" in "response"/);
  });
  await t.step("no key at all", async () => {
    const r = await decrypt([...base, "--data-dir", `${root}/nokey`]).catch((e) => ({ e }));
    assert.match(String((r as { e: Error }).e), /NotFound: Key file ".*nokey\/log_key" does not exist/);
  });
  void key;
});

Deno.test("logsDecryptCommand.run() finds keys through the config and the data dir", async (t) => {
  const { root, dir, key } = await fixture();
  await t.step("--config with the key behind env:", async () => {
    const yaml = `${root}/c.yaml`;
    await Deno.writeTextFile(
      yaml,
      `upstreams:\n  - { name: u, kind: azure, endpoint: https://x.example, auth: { type: api_key, key: env:U }, deployments: [d] }\nlogs:\n  dir: ${dir}\n  keys:\n    - key: env:LOG_KEY\n`,
    );
    const r = await decrypt(["20251214", "--config", yaml], { LOG_KEY: key });
    assert.equal(r.code, 0);
    assert.equal(r.records.length, 2);
    const viaEnv = await decrypt(["20251214"], { LOG_KEY: key, AZMW_CONFIG: yaml });
    assert.equal(viaEnv.code, 0);
    const unset = await decrypt(["20251214", "--config", yaml]);
    assert.match(
      unset.err,
      /^Warning: Skipping log key logs\.keys\[0\]\.key: environment variable "LOG_KEY" is not set\n/,
    );
    assert.equal(unset.code, 1);
  });
  await t.step("--data-dir holding the embedded default's key", async () => {
    await Deno.mkdir(`${root}/state`);
    await Deno.writeTextFile(`${root}/state/log_key`, key);
    const r = await decrypt(["20251214", "--dir", dir, "--data-dir", `${root}/state`]);
    assert.equal(r.code, 0);
    assert.equal(r.records[0].request.model, "gpt-4o");
  });
  await t.step("the default ./.azmw and ./.azmw/logs, in a subprocess", async () => {
    await Deno.mkdir(`${root}/.azmw`);
    await Deno.writeTextFile(`${root}/.azmw/log_key`, key);
    await Deno.rename(dir, `${root}/.azmw/logs`);
    const r = await runAzmw(["logs", "decrypt", "20251214", "--key", "dev"], { cwd: root });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).request.model, "gpt-4o");
  });
});

Deno.test("logsDecryptCommand.run() names a missing day", async () => {
  const { root, dir } = await fixture();
  const r = await decrypt(["20240101", "--dir", dir, "--key-file", `${root}/key`]);
  assert.equal(r.code, 1);
  assert.equal(
    r.err,
    `azmw logs decrypt: No request logs for 20240101: folder "${dir}/20240101" does not exist\n`,
  );
  const range = await decrypt([
    "--from",
    "20240101",
    "--to",
    "20240103",
    "--dir",
    dir,
    "--key-file",
    `${root}/key`,
  ]);
  assert.equal(range.err, `azmw logs decrypt: No request logs from 20240101 to 20240103 in "${dir}"\n`);
});
