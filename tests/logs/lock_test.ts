import assert from "node:assert/strict";
import { lockLogs, LogLockedError } from "../../src/logs/lock.ts";

Deno.test("lockLogs() admits one holder per folder and instance, and frees on release", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await lockLogs(`${dir}/logs`, "gw");
    await assert.rejects(() => lockLogs(`${dir}/logs`, "gw"), (err: Error) => {
      assert.ok(err instanceof LogLockedError);
      assert.match(err.message, new RegExp(`\\(pid ${Deno.pid}\\) is writing the request logs in`));
      assert.match(err.message, /its own --data-dir/);
      return true;
    });
    const other = await lockLogs(`${dir}/logs`, "gw-2");
    other.release();
    first.release();
    first.release();
    const again = await lockLogs(`${dir}/logs`, "gw");
    again.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
