/**
 * `deno task start` fetches only what serving needs: it resolves against its own lock (serve.lock), which
 * holds the packages of main.ts's module graph, not the test-only ones of deno.lock (a `deno run` with
 * deno.lock installs every package of that lock's snapshot, ~190 MB on an empty cache, against ~110 MB).
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const TEST_ONLY = [
  "openai",
  "@anthropic-ai/sdk",
  "playwright-core",
  "parse-prometheus-text-format",
  "@sinonjs/fake-timers",
];

const packageOf = (key: string) => key.slice(0, key.indexOf("@", 1));

Deno.test("the start task runs on serve.lock", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  assert.match(config.tasks.start, /^deno run --lock=serve\.lock .* main\.ts serve$/);
});

Deno.test("serve.lock resolves no test-only package", async () => {
  const lock = JSON.parse(await Deno.readTextFile(new URL("serve.lock", ROOT)));
  const packages = new Set(Object.keys(lock.npm ?? {}).map(packageOf));
  assert.ok(packages.has("yaml"), "serve.lock holds the serving packages");
  assert.deepEqual(TEST_ONLY.filter((p) => packages.has(p)), []);
});

Deno.test("main.ts's module graph imports no test-only package", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--lock=serve.lock", "main.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.ok(out.success, "deno info main.ts");
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  const packages = new Set(Object.values(info.npmPackages ?? {}).map((p) => (p as { name: string }).name));
  assert.ok(packages.has("yaml"), "the graph's npm packages are listed");
  assert.deepEqual(TEST_ONLY.filter((p) => packages.has(p)), []);
});
