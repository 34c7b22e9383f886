import assert from "node:assert/strict";
import { readProcess } from "../../src/observability/process.ts";

Deno.test("readProcess() reads the process figures from /proc", async () => {
  const proc = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${proc}/stat`,
      "4242 (deno (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 10 5 0 0 20 0 9 0 100 123456789 5000 18446744073709551615",
    );
    await Deno.mkdir(`${proc}/fd`);
    for (const n of ["0", "1", "2"]) await Deno.writeTextFile(`${proc}/fd/${n}`, "");
    await Deno.writeTextFile(
      `${proc}/limits`,
      "Limit                     Soft Limit           Hard Limit           Units\n" +
        "Max open files            1024                 524288               files\n",
    );
    const r = readProcess(proc);
    assert.equal(r.virtualBytes, 123456789);
    assert.equal(r.openFds, 3);
    assert.equal(r.maxFds, 1024);
    assert.ok(r.cpuSeconds > 0 && r.residentBytes > 0 && r.heapBytes > 0);
  } finally {
    await Deno.remove(proc, { recursive: true });
  }
});

Deno.test("readProcess() leaves out what the system does not offer", () => {
  const r = readProcess("/nonexistent-proc");
  assert.equal(r.virtualBytes, null);
  assert.equal(r.openFds, null);
  assert.equal(r.maxFds, null);
  assert.ok(r.residentBytes > 0);
});
