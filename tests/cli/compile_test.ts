/**
 * `deno task compile` builds one executable. It needs Deno's runtime download (dl.deno.land); where that
 * host cannot be reached the test is skipped with a message saying so.
 */
import assert from "node:assert/strict";

const RUNTIME_URL = "https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip";

async function runtimeReachable(): Promise<boolean> {
  try {
    const res = await fetch(RUNTIME_URL, { method: "HEAD", signal: AbortSignal.timeout(3000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

const reachable = Deno.build.os === "linux" && Deno.build.arch === "x86_64" && await runtimeReachable();
if (!reachable) {
  console.log(`compile test skipped: the Deno runtime (${RUNTIME_URL}) cannot be fetched from this network`);
}

Deno.test({
  name: "deno task compile builds a working azmw executable",
  ignore: !reachable,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const out = `${dir}/azmw`;
      const root = new URL("../../", import.meta.url).pathname;
      // The task's own flags (permissions, the log thread's module), with the output moved to the temp dir.
      const task: string = JSON.parse(await Deno.readTextFile(`${root}deno.json`)).tasks.compile;
      const flags = task.split(/\s+/).slice(2).map((a) =>
        a === "dist/azmw" ? out : a === "main.ts" ? `${root}main.ts` : a
      )
        .map((a) => a.startsWith("src/") ? `${root}${a}` : a);
      const build = await new Deno.Command(Deno.execPath(), {
        args: ["compile", ...flags],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(build.code, 0, new TextDecoder().decode(build.stderr));
      const run = await new Deno.Command(out, { args: ["--version"], stdout: "piped" }).output();
      assert.equal(run.code, 0);
      assert.match(new TextDecoder().decode(run.stdout), /^azmw /);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
