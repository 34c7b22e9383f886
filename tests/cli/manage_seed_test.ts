/** The seed management CLI's verbs (`azmw manage …`) against a local store and through a gateway's API. */
import assert from "node:assert/strict";
import {
  manageProjectListCommand,
  manageTokenGenerateCommand,
  manageTokenGetCommand,
  seedArgv,
} from "../../src/cli/manage_seed.ts";
import { projectsCreateCommand } from "../../src/cli/projects.ts";
import type { Command } from "../../src/cli/command.ts";
import { fakeIo, runAzmw } from "../_helpers/cli.ts";

// deno-lint-ignore no-explicit-any
async function run(command: Command<any>, argv: string[]) {
  const io = fakeIo();
  const code = await command.run(command.parseArgs(argv), io);
  return { code, out: io.out, err: io.err };
}

Deno.test("seedArgv() renames the seed CLI's options and keeps everything else", () => {
  assert.deepEqual(
    seedArgv(["--manage-api-base-url", "http://gw:8080", "--management-token=t", "--json", "x"]),
    ["--url", "http://gw:8080", "--token=t", "--json", "x"],
  );
});

Deno.test("azmw manage project list / token generate / token get work as the seed CLI's verbs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const where = ["--data-dir", dir, "--json"];
    assert.equal((await run(projectsCreateCommand, ["acme", ...where])).code, 0);
    const listed = await run(manageProjectListCommand, where);
    assert.equal(listed.code, 0);
    const projects = JSON.parse(listed.out);
    const project = (projects.data ?? projects)[0];
    assert.equal(project.name, "acme");
    const made = await run(manageTokenGenerateCommand, [
      "--project-id",
      project.project_id,
      "--duration-minutes",
      "30",
      ...where,
    ]);
    assert.equal(made.code, 0, made.err);
    const token = JSON.parse(made.out);
    assert.match(token.token, /^azmw_t_/);
    assert.equal(token.project, "acme");
    const got = await run(manageTokenGetCommand, [token.token, ...where]);
    assert.equal(got.code, 0, got.err);
    const shown = JSON.parse(got.out);
    assert.equal(shown.id, token.id);
    assert.ok(!got.out.includes(token.token), "the secret is never printed back");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("azmw manage … --help names the seed options and the azmw command underneath", async () => {
  for (
    const words of [["manage", "project", "list"], ["manage", "token", "generate"], [
      "manage",
      "token",
      "get",
    ]]
  ) {
    const { code, stdout } = await runAzmw([...words, "--help"]);
    assert.equal(code, 0);
    assert.match(stdout, /--manage-api-base-url URL/);
    assert.match(stdout, /azmw (projects|tokens) (list|create|show)/);
  }
});
