/** Use counts and rate limits that limit callers survive a kill -9 of the gateway. */
import assert from "node:assert/strict";
import { projectsCreateCommand } from "../../src/cli/projects.ts";
import { tokensCreateCommand } from "../../src/cli/tokens.ts";
import { fakeIo } from "../_helpers/cli.ts";
import { spawnServe } from "../_helpers/serve_process.ts";
import { fileLines, until } from "../_helpers/until.ts";

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

const say = (url: string, token: string, content: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content }] }),
  });

Deno.test("RPM and TPM buckets hold across a kill -9 of the gateway (subprocess)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const where = ["--data-dir", dir];
    const io = fakeIo();
    await projectsCreateCommand.run(projectsCreateCommand.parseArgs(["demo", ...where]), io);
    const create = async (limit: string[]) => {
      const out = fakeIo();
      await tokensCreateCommand.run(
        tokensCreateCommand.parseArgs(["--project", "demo", ...limit, ...where]),
        out,
      );
      const token = /^\s+(azmw_t_\S{43})$/m.exec(out.out)?.[1];
      assert.ok(token, out.out);
      return token;
    };
    const byRequests = await create(["--rpm", "3"]);
    // Each call below counts about 1,000 prompt tokens: two fit in 2,500, a third does not.
    const byTokens = await create(["--tpm", "2500"]);
    const long = "word ".repeat(800);

    const first = await spawnServe(["--port", "0", ...where], { cwd: dir });
    for (let i = 0; i < 3; i++) {
      const res = await say(first.url, byRequests, "Hello");
      assert.equal(res.status, 200, await res.text());
    }
    for (let i = 0; i < 2; i++) {
      const res = await say(first.url, byTokens, long);
      assert.equal(res.status, 200, await res.text());
    }
    // The request log is what survives: killed once the five records are on disk (~3 ms after each call).
    await until("the five records on disk", async () => await fileLines(`${dir}/logs`) >= 5);
    assert.equal((await first.stop("SIGKILL")).signal, "SIGKILL");

    const second = await spawnServe(["--port", "0", ...where], { cwd: dir });
    try {
      const res = await say(second.url, byRequests, "Hello");
      const body = await res.json();
      assert.equal(res.status, 429, JSON.stringify(body));
      assert.match(body.error.message, /requests per minute \(RPM\): limit 3/);
      assert.ok(Number(res.headers.get("retry-after")) >= 1, JSON.stringify([...res.headers]));
      assert.equal(res.headers.get("x-ratelimit-remaining-requests"), "0");

      const heavy = await say(second.url, byTokens, long);
      const heavyBody = await heavy.json();
      assert.equal(heavy.status, 429, JSON.stringify(heavyBody));
      assert.match(heavyBody.error.message, /tokens per minute \(TPM\): limit 2500/);
      assert.ok(Number(heavy.headers.get("retry-after")) >= 1);
    } finally {
      assert.equal((await second.stop("SIGTERM")).code, 0, second.output());
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
