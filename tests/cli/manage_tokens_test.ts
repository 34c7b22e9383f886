import assert from "node:assert/strict";
import {
  projectsCreateCommand,
  projectsListCommand,
  projectsShowCommand,
  projectsUpdateCommand,
} from "../../src/cli/projects.ts";
import {
  tokensCreateCommand,
  tokensListCommand,
  tokensRevokeCommand,
  tokensShowCommand,
} from "../../src/cli/tokens.ts";
import { type Command, UsageError } from "../../src/core/command.ts";
import { fakeIo } from "../_helpers/cli.ts";

// deno-lint-ignore no-explicit-any
type AnyCommand = Command<any>;

async function run(
  command: AnyCommand,
  argv: string[],
) {
  const io = fakeIo();
  const code = await command.run(command.parseArgs(argv), io);
  return { code, out: io.out };
}

Deno.test("tokensCreateCommand.parseArgs() reads ttl, max requests and rate", () => {
  const args = tokensCreateCommand.parseArgs([
    "--project",
    "demo",
    "--ttl",
    "1h",
    "--max-requests",
    "100",
    "--rpm",
    "10",
    "--tpm",
    "5000",
  ]);
  assert.deepEqual(args.body, {
    project: "demo",
    ttl: "1h",
    max_requests: 100,
    policy: { rpm: 10, tpm: 5000 },
  });
  assert.throws(
    () => tokensCreateCommand.parseArgs(["--project", "demo", "--max-requests", "0"]),
    UsageError,
  );
});

Deno.test("azmw tokens create|list|show|revoke on a local store", async () => {
  const dir = await Deno.makeTempDir();
  const where = ["--data-dir", dir];
  try {
    await run(projectsCreateCommand, ["demo", ...where]);
    const created = await run(tokensCreateCommand, [
      "--project",
      "demo",
      "--ttl",
      "1h",
      "--max-requests",
      "100",
      "--rpm",
      "10",
      ...where,
    ]);
    assert.match(created.out, /^Created token (tok_[0-9a-f]{16}) in project "demo", valid until /);
    assert.match(created.out, /^\s+azmw_t_\S{43}$/m);
    assert.match(created.out, /Requests: 0\/100 {3}Policy: rpm=10/);
    const id = /tok_[0-9a-f]{16}/.exec(created.out)![0];
    const list = await run(tokensListCommand, where);
    assert.match(list.out, new RegExp(`${id}\\s+demo\\s+-\\s+azmw_t_\\S{8}…\\s+active\\s+0/100`));
    assert.equal((await run(tokensRevokeCommand, [id, ...where])).out, `Token ${id} is revoked\n`);
    const shown = await run(tokensShowCommand, [id, ...where, "--json"]);
    assert.equal(JSON.parse(shown.out).status, "revoked");
    const page = await run(tokensListCommand, [...where, "--limit", "1", "--project", "nope"]);
    assert.equal(page.out, "(none)\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("azmw projects create|list|show|update on a local store", async () => {
  const dir = await Deno.makeTempDir();
  const where = ["--data-dir", dir];
  try {
    const created = await run(projectsCreateCommand, [
      "demo",
      "--description",
      "Demo app",
      "--metadata",
      '{"owner":"data"}',
      "--credential",
      "azure-main=env:DEMO_KEY",
      "--models",
      "gpt-4o*",
      "--rpm",
      "60",
      ...where,
    ]);
    assert.equal(created.out, 'Created project "demo"\n');
    await run(projectsCreateCommand, ["other", ...where]);
    const page = await run(projectsListCommand, [...where, "--limit", "1"]);
    assert.match(page.out, /^demo\s+active\s+models=gpt-4o\* rpm=60\s+Demo app$/m);
    assert.match(page.out, /^More: add --cursor \S+$/m);
    const updated = await run(projectsUpdateCommand, ["demo", "--tpm", "9000", "--disable", ...where]);
    assert.match(
      updated.out,
      /^policy:\s+models=gpt-4o\* rpm=60 tpm=9000$/m,
      "options merge into the stored policy",
    );
    assert.match(updated.out, /^disabled:\s+true$/m);
    const cleared = await run(projectsUpdateCommand, [
      "demo",
      "--clear-policy",
      "--enable",
      ...where,
      "--json",
    ]);
    assert.deepEqual([JSON.parse(cleared.out).policy, JSON.parse(cleared.out).disabled], [{}, false]);
    const shown = await run(projectsShowCommand, ["demo", ...where]);
    assert.match(shown.out, /^credentials:\s+azure-main=env:DEMO_KEY$/m);
    assert.match(shown.out, /^metadata:\s+\{"owner":"data"\}$/m);
    assert.throws(() => projectsCreateCommand.parseArgs(["x", "--metadata", "{"]), /expects a JSON object/);
    assert.throws(() => projectsCreateCommand.parseArgs(["x", "--credential", "nokey"]), /UPSTREAM=env:NAME/);
    assert.throws(
      () => projectsUpdateCommand.parseArgs(["x", "--disable", "--enable"]),
      /either "--disable" or "--enable"/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
