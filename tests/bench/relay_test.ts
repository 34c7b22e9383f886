import assert from "node:assert/strict";
import { createRelayHandler, relayKeysFromEnv } from "../../src/bench/overhead/relay.ts";
import { referenceArgv, relayArgv } from "../../src/bench/overhead/relay_argv.ts";
import { callWithKey, servedRelay } from "./_fixtures.ts";

Deno.test("createRelayHandler() checks the caller key, swaps in the upstream key, passes the body through", async () => {
  const seen: { url: string; auth: string | null; apiKey: string | null; body: string }[] = [];
  const handler = createRelayHandler({
    upstream: "http://up.test/",
    callerKey: "caller",
    upstreamKey: "upstream",
    fetch: async (input, init) => {
      const req = new Request(input, init);
      seen.push({
        url: req.url,
        auth: req.headers.get("authorization"),
        apiKey: req.headers.get("api-key"),
        body: await req.text(),
      });
      return new Response("data: 1\n\n", { status: 201, headers: { "x-up": "1" } });
    },
  });
  const res = await callWithKey(handler, "{}");
  assert.equal(res.status, 201);
  assert.equal(res.headers.get("x-up"), "1");
  assert.equal(await res.text(), "data: 1\n\n");
  const bearer = await handler(
    new Request("http://relay/v1/m", { headers: { authorization: "Bearer caller" } }),
  );
  await bearer.body?.cancel();
  assert.deepEqual(seen, [
    { url: "http://up.test/openai/x?api-version=1", auth: "Bearer upstream", apiKey: null, body: "{}" },
    { url: "http://up.test/v1/m", auth: "Bearer upstream", apiKey: null, body: "" },
  ]);
});

Deno.test("relayKeysFromEnv() names a missing variable", () => {
  const env = { AZMW_BENCH_KEY: "a", AZMW_BENCH_UPSTREAM_KEY: "b" } as Record<string, string>;
  assert.deepEqual(relayKeysFromEnv((n) => env[n]), { callerKey: "a", upstreamKey: "b" });
  assert.throws(() => relayKeysFromEnv(() => undefined), /needs the environment variable "AZMW_BENCH_KEY"/);
  assert.throws(
    () => relayKeysFromEnv((n) => n === "AZMW_BENCH_KEY" ? "a" : undefined),
    /"AZMW_BENCH_UPSTREAM_KEY"/,
  );
});

Deno.test("serveRelay() announces its port and stops on the signal", async () => {
  const relay = await servedRelay();
  const res = await fetch(relay.url);
  assert.equal(res.status, 401);
  await res.body?.cancel();
  await relay.stop();
});

Deno.test("relayArgv() runs relay_main.ts from source and the executable when compiled", () => {
  const source = relayArgv(
    { execPath: "/bin/deno", standalone: false, mainUrl: "file:///x/main.ts" },
    "http://u",
  );
  assert.deepEqual(source.slice(0, 4), ["/bin/deno", "run", "--allow-net", "--allow-env"]);
  assert.match(source[4]!, /src\/bench\/overhead\/relay_main\.ts$/);
  assert.deepEqual(source.slice(5), ["--upstream", "http://u"]);
  assert.deepEqual(
    relayArgv(
      { execPath: "/usr/bin/azmw", standalone: true, mainUrl: "file:///deno-compile-azmw/main.ts" },
      "http://u",
    ),
    ["/usr/bin/azmw", "bench", "--relay-upstream", "http://u"],
  );
});

Deno.test("scripts/bench_relay.ts prints its usage for --help and refuses an unknown option with it", async () => {
  const run = (arg: string) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-net", "--allow-env", "scripts/bench_relay.ts", arg],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const help = await run("--help");
  assert.equal(help.code, 0);
  assert.match(new TextDecoder().decode(help.stdout), /^Usage: .*--upstream URL .*\[--floor \[--bare\]\]/);
  const bad = await run("--nope");
  assert.equal(bad.code, 2);
  assert.match(new TextDecoder().decode(bad.stderr), /Unknown option '--nope'\nUsage: /);
});

Deno.test("referenceArgv() starts the bare relay, the floor relay or the bare floor relay, and nothing else", () => {
  const self = { execPath: "/bin/deno", standalone: false, mainUrl: "file:///x/main.ts" };
  assert.deepEqual(referenceArgv(self, "relay")!("http://u"), relayArgv(self, "http://u"));
  assert.deepEqual(referenceArgv(self, "floor")!("http://u").slice(-1), ["--floor"]);
  assert.deepEqual(referenceArgv(self, "floor-bare")!("http://u").slice(-2), ["--floor", "--bare"]);
  assert.equal(referenceArgv(self, "gateway"), undefined);
  assert.equal(referenceArgv(self, "toString"), undefined);
});
