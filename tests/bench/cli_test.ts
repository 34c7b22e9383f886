/** `azmw bench` as a command: help (subprocess), usage errors, and small runs with a fake io. */
import assert from "node:assert/strict";
import { benchCommand } from "../../src/cli/bench.ts";
import { main } from "../../src/cli/main.ts";
import { CALLER_KEY } from "../_helpers/app.ts";
import { fakeIo, runAzmw } from "../_helpers/cli.ts";
import { startGateway } from "../_helpers/gateway.ts";

Deno.test("azmw bench --help describes both modes (subprocess)", async () => {
  const r = await runAzmw(["bench", "--help"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Usage: azmw bench --url URL --key KEY/);
  for (
    const option of [
      "--concurrency",
      "--requests",
      "--duration",
      "--stream",
      "--dialect",
      "--json",
      "--html",
      "--overhead",
      "--lanes",
      "--quick",
      "--gateway-config",
      "--no-fail",
      "bare Deno.serve + fetch relay",
      "{{MOCK_URL}}",
    ]
  ) {
    assert.ok(r.stdout.includes(option), option);
  }
});

Deno.test("azmw bench with bad options exits 2 and says why (subprocess)", async () => {
  const r = await runAzmw(["bench", "--url", "http://127.0.0.1:1", "--key", "k", "-c", "0"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /"--concurrency" expects a whole number from 1 to 10000, got "0"/);
  assert.match(r.stderr, /azmw bench --help/);
});

Deno.test("azmw bench lists itself in the top-level help", async () => {
  const io = fakeIo();
  assert.equal(await main(["--help"], io), 0);
  assert.match(io.out, /^ {2}bench +Load-test/m);
});

function args(url: string, extra: string[]) {
  return benchCommand.parseArgs([
    "--url",
    url,
    "--dialect",
    "openai",
    "-m",
    "gpt-4o",
    "-n",
    "50",
    "-c",
    "5",
    "--warmup",
    "0",
    ...extra,
  ]);
}

Deno.test("azmw bench --json reports 50 requests, and a wrong key as 401s with exit 1", async () => {
  const gw = await startGateway();
  try {
    const io = fakeIo({ BENCH_KEY: CALLER_KEY });
    assert.equal(await benchCommand.run(args(gw.url, ["--key", "env:BENCH_KEY", "--json"]), io), 0, io.err);
    const ok = JSON.parse(io.out);
    assert.equal(ok.completed, 50);
    assert.equal(ok.ok, 50);
    assert.deepEqual(ok.errors_by_status, {});
    assert.equal(ok.target.url, `${gw.url}/v1/chat/completions`);

    const bad = fakeIo();
    assert.equal(await benchCommand.run(args(gw.url, ["--key", "nope", "--json"]), bad), 1);
    const json = JSON.parse(bad.out);
    assert.deepEqual(json.errors_by_status, { "401": 50 });
    assert.equal(json.ok, 0);
    assert.match(bad.err, /no request succeeded \(50 sent\)/);
  } finally {
    await gw.close();
  }
});

Deno.test("azmw bench prints text and writes the HTML page", async () => {
  const gw = await startGateway();
  const dir = await Deno.makeTempDir();
  try {
    const io = fakeIo();
    const html = `${dir}/report.html`;
    assert.equal(
      await benchCommand.run(args(gw.url, ["--key", CALLER_KEY, "--stream", "--html", html]), io),
      0,
      io.err,
    );
    assert.match(io.out, /Requests {5}50 in [\d.]+ s: 50 ok, 0 errors/);
    assert.match(io.out, /Chunk gap/);
    assert.match(io.err, /HTML report written to/);
    assert.match(await Deno.readTextFile(html), /<svg /);
  } finally {
    await gw.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("azmw bench explains a missing key variable and a bad body file", async () => {
  const io = fakeIo();
  await assert.rejects(
    () => benchCommand.run(args("http://127.0.0.1:1", ["--key", "env:NOPE"]), io),
    /"NOPE" named by "--key" is not set/,
  );
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/body.json`, "[1, 2]");
    await assert.rejects(
      () => benchCommand.run(args("http://127.0.0.1:1", ["--key", "k", "--body", `${dir}/body.json`]), io),
      /is not a JSON object/,
    );
    await assert.rejects(
      () => benchCommand.run(args("http://127.0.0.1:1", ["--key", "k", "--body", `${dir}/none.json`]), io),
      /Cannot read the body file/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("azmw bench --overhead exits 1 exactly when a target fails; --no-fail exits 0", async () => {
  const argv = ["--overhead", "--quick", "--lanes", "latency", "--rounds", "1"];
  const io = fakeIo();
  const code = await benchCommand.run(benchCommand.parseArgs([...argv, "--json"]), io);
  const json = JSON.parse(io.out);
  const results: string[] = json.targets.map((t: { result: string }) => t.result);
  assert.deepEqual(json.targets.map((t: { id: string }) => t.id), ["cpu_c1", "latency_p50", "latency_p99"]);
  assert.equal(code, results.includes("FAIL") ? 1 : 0);
  const loose = fakeIo();
  assert.equal(await benchCommand.run(benchCommand.parseArgs([...argv, "--no-fail"]), loose), 0);
  assert.match(loose.out, /Targets \(against a bare relay, same run\): \d of 3 PASS/);
  assert.match(loose.out, /CPU per request at c=1 .* (PASS|FAIL)\n/);
});
