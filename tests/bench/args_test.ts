import assert from "node:assert/strict";
import { UsageError } from "../../src/core/command.ts";
import { OVERHEAD_LANES, parseBenchArgs, parseDuration } from "../../src/bench/args.ts";

const LOAD = ["--url", "http://127.0.0.1:8787", "--key", "k"];

Deno.test("parseBenchArgs() fills load defaults", () => {
  assert.deepEqual(parseBenchArgs(LOAD), {
    mode: "load",
    url: "http://127.0.0.1:8787",
    key: "k",
    dialect: "azure",
    model: "gpt-4o-mini",
    headers: {},
    json: false,
    concurrency: 10,
    durationMs: 30_000,
    stream: false,
    warmup: 20,
  });
});

Deno.test("parseBenchArgs() reads every load option", () => {
  const a = parseBenchArgs([
    ...LOAD,
    "-c",
    "50",
    "-n",
    "1000",
    "--stream",
    "--dialect",
    "azure",
    "--deployment",
    "gpt-4o-prod",
    "--api-version",
    "2025-01-01-preview",
    "-m",
    "gpt-4o",
    "--body",
    "body.json",
    "-H",
    "X-Mock-Chunks: 32",
    "--json",
    "--html",
    "out.html",
    "--warmup",
    "0",
  ]);
  assert.equal(a.mode, "load");
  if (a.mode !== "load") return;
  assert.equal(a.concurrency, 50);
  assert.equal(a.requests, 1000);
  assert.equal(a.durationMs, undefined);
  assert.equal(a.stream, true);
  assert.equal(a.deployment, "gpt-4o-prod");
  assert.equal(a.apiVersion, "2025-01-01-preview");
  assert.equal(a.model, "gpt-4o");
  assert.equal(a.bodyFile, "body.json");
  assert.deepEqual(a.headers, { "x-mock-chunks": "32" });
  assert.equal(a.json, true);
  assert.equal(a.htmlFile, "out.html");
  assert.equal(a.warmup, 0);
});

Deno.test("parseBenchArgs() reads the overhead options", () => {
  const a = parseBenchArgs([
    "--overhead",
    "--lanes",
    "stream, latency",
    "--quick",
    "--gateway-config",
    "g.yaml",
    "--rounds",
    "4",
    "--no-fail",
  ]);
  assert.equal(a.mode, "overhead");
  if (a.mode !== "overhead") return;
  assert.deepEqual(a.lanes, ["latency", "stream"]); // run order, not the order given
  assert.equal(a.quick, true);
  assert.equal(a.gatewayConfig, "g.yaml");
  assert.equal(a.rounds, 4);
  assert.equal(a.noFail, true);
  const all = parseBenchArgs(["--overhead"]);
  assert.deepEqual(all.mode === "overhead" && all.lanes, [...OVERHEAD_LANES]);
  assert.equal(all.mode === "overhead" && all.noFail, false);
});

Deno.test("parseBenchArgs() reads the internal relay mode", () => {
  assert.deepEqual(parseBenchArgs(["--relay-upstream", "http://127.0.0.1:9"]), {
    mode: "relay",
    upstream: "http://127.0.0.1:9",
  });
});

Deno.test("parseBenchArgs() rejects bad values with UsageError", async (t) => {
  const bad: [string, string[], RegExp][] = [
    ["no url", ["--key", "k"], /"--url" is required/],
    ["no key", ["--url", "http://x"], /"--key" is required/],
    ["empty key", ["--url", "http://x", "--key", ""], /"--key" expects a value/],
    ["not a URL", ["--url", "localhost:8787", "--key", "k"], /expects an http\(s\) URL/],
    ["not http", ["--url", "ftp://x", "--key", "k"], /expects an http\(s\) URL/],
    ["zero workers", [...LOAD, "-c", "0"], /"--concurrency" expects a whole number from 1/],
    ["fractional requests", [...LOAD, "-n", "1.5"], /"--requests" expects a whole number/],
    ["requests and duration", [...LOAD, "-n", "10", "-d", "5s"], /exclude each other/],
    ["bad duration", [...LOAD, "-d", "10x"], /"--duration" expects a positive duration/],
    ["zero duration", [...LOAD, "-d", "0s"], /"--duration" expects a positive duration/],
    ["negative warmup", [...LOAD, "--warmup=-1"], /"--warmup" expects a whole number/],
    [
      "bad dialect",
      [...LOAD, "--dialect", "bedrock"],
      /"--dialect" expects "azure", "openai" or "anthropic"/,
    ],
    [
      "deployment off azure",
      [...LOAD, "--dialect", "openai", "--deployment", "d"],
      /applies to "--dialect azure"/,
    ],
    ["bad header", [...LOAD, "-H", "no colon"], /"--header" expects "Name: value"/],
    ["unknown option", [...LOAD, "--frobnicate"], /frobnicate/],
    ["positional", [...LOAD, "extra"], /extra/],
    ["lanes without overhead", [...LOAD, "--lanes", "latency"], /"--lanes" applies to "--overhead" only/],
    ["url with overhead", ["--overhead", "--url", "http://x"], /"--url" does not apply with "--overhead"/],
    ["stream with overhead", ["--overhead", "--stream"], /"--stream" does not apply/],
    ["unknown lane", ["--overhead", "--lanes", "latency,speed"], /"--lanes" expects a list of .*got "speed"/],
    ["empty lanes", ["--overhead", "--lanes", ","], /at least one lane/],
    ["zero rounds", ["--overhead", "--rounds", "0"], /"--rounds" expects a whole number from 1/],
    ["no-fail without overhead", [...LOAD, "--no-fail"], /"--no-fail" applies to "--overhead" only/],
    [
      "relay with more",
      ["--relay-upstream", "http://x", "--quick"],
      /"--quick" does not apply with "--relay/,
    ],
    ["relay not a URL", ["--relay-upstream", "x"], /"--relay-upstream" expects an http\(s\) URL, got "x"/],
  ];
  for (const [name, argv, message] of bad) {
    await t.step(
      name,
      () =>
        assert.throws(() => parseBenchArgs(argv), (e) => e instanceof UsageError && message.test(e.message)),
    );
  }
});

Deno.test("parseDuration() accepts ms, s, m, h and bare seconds", () => {
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("30s"), 30_000);
  assert.equal(parseDuration("1.5s"), 1500);
  assert.equal(parseDuration("2m"), 120_000);
  assert.equal(parseDuration("1h"), 3_600_000);
  assert.equal(parseDuration("10"), 10_000);
  assert.throws(() => parseDuration("25h"), UsageError);
  assert.throws(() => parseDuration("-1s"), UsageError);
  assert.throws(() => parseDuration(""), UsageError);
});
