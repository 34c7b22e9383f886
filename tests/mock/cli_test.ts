import assert from "node:assert/strict";
import type { CliIo } from "../../src/core/command.ts";
import { UsageError } from "../../src/core/command.ts";
import { mockCommand } from "../../src/cli/mock.ts";

function fakeIo(): CliIo & {
  out: string[];
  err: string[];
  controller: AbortController;
  printed: Promise<void>;
} {
  const controller = new AbortController();
  const out: string[] = [];
  const err: string[] = [];
  let resolvePrinted: () => void = () => {};
  const printed = new Promise<void>((resolve) => resolvePrinted = resolve);
  return {
    out,
    err,
    controller,
    printed,
    stdout: (text) => {
      out.push(text);
      resolvePrinted();
    },
    stderr: (text) => {
      err.push(text);
      resolvePrinted();
    },
    env: () => undefined,
    signal: controller.signal,
  };
}

Deno.test("mockCommand.parseArgs() applies defaults", () => {
  assert.deepEqual(mockCommand.parseArgs([]), { help: false, port: 8788, host: "127.0.0.1" });
});

Deno.test("mockCommand.parseArgs() reads every option", () => {
  const args = mockCommand.parseArgs([
    "--port",
    "0",
    "--host",
    "0.0.0.0",
    "--latency-ms",
    "5",
    "--chunk-delay-ms=7",
    "--chunks",
    "3",
    "--api-key",
    "k",
  ]);
  assert.deepEqual(args, {
    help: false,
    port: 0,
    host: "0.0.0.0",
    latencyMs: 5,
    chunkDelayMs: 7,
    chunks: 3,
    apiKey: "k",
  });
  assert.equal(mockCommand.parseArgs(["-h"]).help, true);
  assert.equal(mockCommand.parseArgs(["--help"]).help, true);
});

Deno.test("mockCommand.parseArgs() rejects bad input with UsageError", async (t) => {
  for (
    const argv of [
      ["--port", "abc"],
      ["--port", "70000"],
      ["--chunks", "-1"],
      ["--latency-ms", "1.5"],
      ["--bogus"],
      ["extra"],
      ["--api-key", ""],
      ["--port"],
    ]
  ) {
    await t.step(argv.join(" "), () => {
      assert.throws(() => mockCommand.parseArgs(argv), UsageError);
    });
  }
});

Deno.test("mockCommand has a summary and help naming every option and fault header", () => {
  assert.equal(mockCommand.name, "mock");
  assert.ok(mockCommand.summary.length > 0 && !mockCommand.summary.includes("\n"));
  for (
    const word of [
      "--port",
      "--host",
      "--latency-ms",
      "--chunk-delay-ms",
      "--chunks",
      "--api-key",
      "x-mock-status",
      "x-mock-fault",
      "reset-mid-stream",
      "x-mock-fail-first",
      "x-mock-scenario",
      "Examples",
    ]
  ) {
    assert.ok(mockCommand.help.includes(word), word);
  }
});

Deno.test("mockCommand.run() prints help", async () => {
  const io = fakeIo();
  assert.equal(await mockCommand.run(mockCommand.parseArgs(["--help"]), io), 0);
  assert.equal(io.out.join(""), mockCommand.help);
});

Deno.test("mockCommand.run() serves until the signal aborts", async () => {
  const io = fakeIo();
  const done = mockCommand.run(mockCommand.parseArgs(["--port", "0", "--chunks", "1", "--api-key", "k"]), io);
  await io.printed;
  const match = /^azmw mock listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(io.out[0] ?? "");
  assert.ok(match, io.out[0]);
  const res = await fetch(`${match[1]}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: "Bearer k" },
    body: JSON.stringify({ model: "m", messages: [] }),
  });
  assert.equal((await res.json()).choices[0].message.content, "This is mock reply chunk 1. ");
  io.controller.abort();
  assert.equal(await done, 0);
});

Deno.test("mockCommand.run() reports a port in use and returns 1", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const io = fakeIo();
    const port = String((listener.addr as Deno.NetAddr).port);
    assert.equal(await mockCommand.run(mockCommand.parseArgs(["--port", port]), io), 1);
    assert.match(io.err.join(""), /^Cannot listen on "127\.0\.0\.1:\d+": /);
  } finally {
    listener.close();
  }
});

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

Deno.test("azmw mock --help prints the help text in a subprocess", async () => {
  const out = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", MAIN, "mock", "--help"] })
    .output();
  assert.equal(out.code, 0);
  assert.equal(new TextDecoder().decode(out.stdout), mockCommand.help);
});

Deno.test("azmw mock serves in a subprocess and exits 0 on SIGTERM", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "mock", "--port", "0", "--chunks", "2"],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let first = "";
  while (!first.includes("\n")) {
    const { value, done } = await lines.read();
    if (done) break;
    first += value;
  }
  const url = /listening on (\S+)/.exec(first)?.[1];
  assert.ok(url, first);
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    body: JSON.stringify({ model: "m", messages: [] }),
  });
  assert.equal((await res.json()).usage.completion_tokens, 14);
  child.kill("SIGTERM");
  assert.equal((await child.status).code, 0);
  await lines.cancel();
});
