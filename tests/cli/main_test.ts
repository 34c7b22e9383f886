import assert from "node:assert/strict";
import { findCommand, main, mainHelp } from "../../src/cli/main.ts";
import { fakeIo, runAzmw } from "../_helpers/cli.ts";

Deno.test("main() prints help, version and usage errors", async () => {
  const io = fakeIo();
  assert.equal(await main(["--help"], io), 0);
  assert.match(io.out, /Usage: azmw <command>/);
  const v = fakeIo();
  assert.equal(await main(["--version"], v), 0);
  assert.match(v.out, /^azmw \d+\.\d+\.\d+/);
  const bad = fakeIo();
  assert.equal(await main(["frobnicate"], bad), 2);
  assert.match(bad.err, /unknown command "frobnicate"/);
  const none = fakeIo();
  assert.equal(await main([], none), 2);
  const opt = fakeIo();
  assert.equal(await main(["serve", "--port", "abc"], opt), 2);
  assert.match(opt.err, /"--port" expects a whole number/);
});

Deno.test("findCommand() matches multi-word commands", () => {
  assert.equal(findCommand(["config", "check", "-c", "x"])?.command.name, "config check");
  assert.deepEqual(findCommand(["config", "check", "-c", "x"])?.rest, ["-c", "x"]);
  assert.equal(findCommand(["config"]), null);
});

Deno.test("azmw --help and every <command> --help describe themselves (subprocess)", async () => {
  const top = await runAzmw(["--help"]);
  assert.equal(top.code, 0);
  const names = [...mainHelp().matchAll(/^ {2}(\S+(?: [a-z]+)?) {2,}/gm)].map((m) => m[1]!);
  assert.ok(names.length >= 3, names.join(","));
  for (const name of names) {
    assert.ok(top.stdout.includes(name), name);
    const r = await runAzmw([...name.split(" "), "--help"]);
    assert.equal(r.code, 0, `${name} --help`);
    assert.match(r.stdout, /Usage:\s+azmw /, name);
  }
});
