/** Waiting on processes outside the test (a gateway child, PostgreSQL): polls, since they send no event. */

/** Polls `check` every 50 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Non-empty lines of every request-log file under `dir` (day folders; the lock file is skipped). */
export async function fileLines(dir: string): Promise<number> {
  let n = 0;
  for await (const day of Deno.readDir(dir)) {
    if (!day.isDirectory) continue; // the log lock file
    for await (const f of Deno.readDir(`${dir}/${day.name}`)) {
      n += (await Deno.readTextFile(`${dir}/${day.name}/${f.name}`)).split("\n").filter((l) => l).length;
    }
  }
  return n;
}
