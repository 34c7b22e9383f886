import assert from "node:assert/strict";
import { usageOf } from "../../scripts/_args.ts";

Deno.test("usageOf() takes the indented deno run lines of a script's first doc comment, with their continuations", () => {
  const source = `/**
 * What the script measures.
 *
 *   npx -y deno@2.9.6 run -A scripts/x.ts [--a 1]
 *     [--b]   (what b does)
 *   deno run -A scripts/x.ts --mode other
 *
 * More prose that mentions deno run -A in passing
 * @module
 */
/** Not this one: deno run -A elsewhere.ts */`;
  assert.equal(
    usageOf(source),
    "Usage:\n  npx -y deno@2.9.6 run -A scripts/x.ts [--a 1]\n      [--b]   (what b does)\n" +
      "  deno run -A scripts/x.ts --mode other",
  );
  assert.equal(usageOf("const x = 1;"), "Usage: see the comment at the top of the script");
});

Deno.test("scripts answer --help with its usage and an unknown option with exit 2, no stack trace", async () => {
  const run = (script: string, arg: string) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-env",
        "--allow-net",
        "--allow-run",
        "--allow-write",
        script,
        arg,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const dec = new TextDecoder();
  for (
    const script of ["scripts/crash_durability.ts", "scripts/bench_shared.ts", "scripts/check_layers.ts"]
  ) {
    const help = await run(script, "--help");
    assert.equal(help.code, 0, script);
    assert.match(dec.decode(help.stdout), new RegExp(`^Usage:\\n  .*${script}`), script);
  }
  const bad = await run("scripts/crash_durability.ts", "--bogus");
  assert.equal(bad.code, 2);
  const err = dec.decode(bad.stderr);
  assert.match(err, /^Unknown option '--bogus'\nUsage:/);
  assert.doesNotMatch(err, /Uncaught|at file:/);
});
