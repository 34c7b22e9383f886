/** Use counts that limit callers survive a kill -9 of the gateway. */
import assert from "node:assert/strict";
import { projectsCreateCommand } from "../../src/cli/projects.ts";
import { tokensCreateCommand } from "../../src/cli/tokens.ts";
import { fakeIo } from "../_helpers/cli.ts";
import { spawnServe } from "../_helpers/serve_process.ts";

const chat = (url: string, token: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] }),
  });

Deno.test("a token's max_requests holds across a kill -9 of the gateway (subprocess)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const where = ["--data-dir", dir];
    const io = fakeIo();
    await projectsCreateCommand.run(projectsCreateCommand.parseArgs(["demo", ...where]), io);
    const args = tokensCreateCommand.parseArgs(["--project", "demo", "--max-requests", "3", ...where]);
    await tokensCreateCommand.run(args, io);
    const token = /^\s+(azmw_t_\S{43})$/m.exec(io.out)?.[1];
    assert.ok(token, io.out);

    const first = await spawnServe(["--port", "0", ...where], { cwd: dir });
    for (let i = 0; i < 3; i++) {
      const res = await chat(first.url, token);
      assert.equal(res.status, 200, await res.text());
    }
    // Killed right after the third answer: nothing gets a chance to flush.
    assert.equal((await first.stop("SIGKILL")).signal, "SIGKILL");

    const second = await spawnServe(["--port", "0", ...where], { cwd: dir });
    try {
      const res = await chat(second.url, token);
      const body = await res.json();
      assert.equal(res.status, 403, JSON.stringify(body));
      assert.equal(body.error.code, "token_exhausted");
    } finally {
      assert.equal((await second.stop("SIGTERM")).code, 0, second.output());
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
