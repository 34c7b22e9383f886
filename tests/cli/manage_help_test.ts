import assert from "node:assert/strict";
import { fakeIo, runAzmw } from "../_helpers/cli.ts";
import { main } from "../../src/cli/main.ts";

const COMMANDS = [
  "projects",
  "projects create",
  "projects list",
  "projects show",
  "projects update",
  "keys",
  "keys create",
  "keys list",
  "keys show",
  "keys revoke",
  "keys rotate",
  "tokens",
  "tokens create",
  "tokens list",
  "tokens show",
  "tokens revoke",
];

Deno.test("azmw projects|keys|tokens … --help describe themselves (subprocess)", async () => {
  const results = await Promise.all(COMMANDS.map((name) => runAzmw([...name.split(" "), "--help"])));
  for (const [i, r] of results.entries()) {
    const name = COMMANDS[i]!;
    assert.equal(r.code, 0, `${name} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`Usage: azmw ${name}`), name);
    if (name.includes(" ")) assert.match(r.stdout, /--url URL/, name);
  }
});

Deno.test("azmw keys without a subcommand lists them and exits 2", async () => {
  const io = fakeIo();
  assert.equal(await main(["keys"], io), 2);
  assert.match(io.err, /keys rotate/);
  const bad = fakeIo();
  assert.equal(await main(["tokens", "frobnicate"], bad), 2);
  assert.match(bad.err, /Unknown tokens command "frobnicate"/);
});

Deno.test("azmw projects create and keys create work end to end on a local store (subprocess)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const created = await runAzmw(["projects", "create", "demo", "--data-dir", dir, "--rpm", "10"]);
    assert.equal(created.code, 0, created.stderr);
    const key = await runAzmw([
      "keys",
      "create",
      "--project",
      "demo",
      "--name",
      "ci",
      "--expires",
      "30d",
      "--data-dir",
      dir,
      "--json",
    ]);
    assert.equal(key.code, 0, key.stderr);
    const json = JSON.parse(key.stdout);
    assert.match(json.secret, /^azmw_/);
    const missing = await runAzmw(["keys", "create", "--project", "ghost", "--data-dir", dir]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /azmw keys create: Project "ghost" does not exist/);
    const usage = await runAzmw(["tokens", "create", "--data-dir", dir]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Option "--project" is required/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
