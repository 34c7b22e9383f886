import assert from "node:assert/strict";
import { createManageApi } from "../../src/admin/api.ts";
import { type Command, UsageError } from "../../src/core/command.ts";
import {
  keysCreateCommand,
  keysListCommand,
  keysRevokeCommand,
  keysRotateCommand,
  keysShowCommand,
} from "../../src/cli/keys.ts";
import { ManageError } from "../../src/cli/manage_client.ts";
import { projectsCreateCommand } from "../../src/cli/projects.ts";
import { openStore } from "../../src/store/mod.ts";
import { fakeIo } from "../_helpers/cli.ts";

// deno-lint-ignore no-explicit-any
type AnyCommand = Command<any>;

async function run(
  command: AnyCommand,
  argv: string[],
  env = {},
) {
  const io = fakeIo(env);
  const code = await command.run(command.parseArgs(argv), io);
  return { code, out: io.out, err: io.err };
}

Deno.test("keysCreateCommand.parseArgs() builds the API body", () => {
  const args = keysCreateCommand.parseArgs([
    "--project",
    "demo",
    "--name",
    "ci",
    "--expires",
    "30d",
    "--models",
    "gpt-4o*, text-*",
    "--rpm",
    "60",
    "--daily-cost-eur",
    "12.5",
    "--json",
    "--data-dir",
    "/tmp/x",
  ]);
  assert.deepEqual(args, {
    json: true,
    dataDir: "/tmp/x",
    body: {
      project: "demo",
      name: "ci",
      expires_in: "30d",
      policy: { models: ["gpt-4o*", "text-*"], rpm: 60, daily_cost_eur: 12.5 },
    },
  });
  const bad: [string[], RegExp][] = [
    [[], /"--project" is required/],
    [["--project", "demo", "--rpm", "many"], /"--rpm" expects a whole number/],
    [["--project", "demo", "--daily-cost-eur", "ten"], /"--daily-cost-eur" expects an amount/],
    [["--project", "demo", "--color"], /Unknown option "--color"/],
    [["--project", "demo", "extra"], /Unexpected argument "extra"/],
    [["--project", "demo", "--url", "http://x", "--data-dir", "d"], /either "--url"/],
    [["--project"], /"--project" needs a value/],
  ];
  for (const [argv, message] of bad) {
    assert.throws(
      () => keysCreateCommand.parseArgs(argv),
      (e) => e instanceof UsageError && message.test(e.message),
    );
  }
  assert.throws(() => keysShowCommand.parseArgs([]), /Missing key id/);
  assert.deepEqual(keysRotateCommand.parseArgs(["key_1", "--grace", "1h"]).body, { grace: "1h" });
});

Deno.test("azmw keys create|list|show|rotate|revoke on a local store", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const where = ["--data-dir", dir];
    assert.equal((await run(projectsCreateCommand, ["demo", ...where])).code, 0);
    const created = await run(keysCreateCommand, [
      "--project",
      "demo",
      "--name",
      "ci",
      "--expires",
      "30d",
      ...where,
    ]);
    assert.equal(created.code, 0);
    const secret = /^\s+(azmw_\S+)$/m.exec(created.out)?.[1];
    assert.ok(secret, created.out);
    assert.match(created.out, /Secret \(shown once/);
    const id = /Created API key (key_[0-9a-f]{16})/.exec(created.out)![1]!;

    const list = await run(keysListCommand, [...where, "--project", "demo"]);
    assert.match(list.out, /^ID\s+PROJECT\s+NAME\s+PREFIX\s+STATUS\s+EXPIRES$/m);
    assert.match(list.out, new RegExp(`${id}\\s+demo\\s+ci\\s+${secret.slice(0, 13)}…\\s+active`));
    assert.ok(!list.out.includes(secret));

    const rotated = await run(keysRotateCommand, [id, "--grace", "1h", ...where, "--json"]);
    const json = JSON.parse(rotated.out);
    assert.deepEqual([json.previous.id, json.previous.status], [id, "grace"]);
    assert.match(json.secret, /^azmw_/);

    const shown = await run(keysShowCommand, [id, ...where]);
    assert.match(shown.out, /^status:\s+grace$/m);
    assert.match(shown.out, new RegExp(`^replaced by:\\s+${json.id}$`, "m"));

    const revoked = await run(keysRevokeCommand, [json.id, ...where]);
    assert.equal(revoked.out, `API key ${json.id} is disabled\n`);
    await assert.rejects(
      run(keysRotateCommand, [json.id, ...where]),
      (e) => e instanceof ManageError && e.status === 409,
    );

    const store = await openStore(`${dir}/azmw.db`);
    const audit = await store.listAudit({ limit: 10 });
    assert.equal(audit.items[0]!.actor.role, "local");
    assert.match(audit.items[0]!.actor.id, /^cli:/);
    await store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("azmw keys … --url works through a running gateway's management API", async () => {
  const store = await openStore(":memory:");
  const handler = createManageApi(store, { adminToken: "adm-123456", readerToken: "rd-123456" });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  const url = `http://127.0.0.1:${server.addr.port}`;
  try {
    assert.equal((await run(projectsCreateCommand, ["demo", "--url", url, "--token", "adm-123456"])).code, 0);
    const created = await run(keysCreateCommand, ["--project", "demo", "--json"], {
      AZMW_MANAGE_URL: url,
      AZMW_MANAGE_TOKEN: "adm-123456",
    });
    assert.match(JSON.parse(created.out).secret, /^azmw_/);
    const listed = await run(keysListCommand, ["--url", url, "--token", "rd-123456", "--json"]);
    assert.equal(JSON.parse(listed.out).data.length, 1);
    await assert.rejects(
      run(keysCreateCommand, ["--project", "demo", "--url", url, "--token", "rd-123456"]),
      (e) =>
        e instanceof ManageError && e.status === 403 && /reader token cannot make changes/.test(e.message),
    );
    await assert.rejects(
      run(keysListCommand, ["--url", url]),
      (e) => e instanceof UsageError && /AZMW_MANAGE_TOKEN/.test(e.message),
    );
    await assert.rejects(
      run(keysListCommand, ["--url", "http://127.0.0.1:1", "--token", "x"]),
      /Cannot reach/,
    );
  } finally {
    await server.shutdown();
    await store.close();
  }
});
