import assert from "node:assert/strict";
import { summarise } from "../../scripts/bench_stream_memory.ts";

Deno.test("bench_stream_memory reports median idle and open RSS and the memory per open stream", () => {
  const MiB = 2 ** 20;
  const s = summarise([
    { idle: 40 * MiB, open: 140 * MiB, opened: 1000 },
    { idle: 42 * MiB, open: 150 * MiB, opened: 1000 },
    { idle: 44 * MiB, open: 144 * MiB, opened: 500 },
  ]);
  assert.equal(s.idleMiB, 42);
  assert.equal(s.openMiB, 144);
  // (140 − 40) MiB ÷ 1000, (150 − 42) MiB ÷ 1000, (144 − 44) MiB ÷ 500: the median is 108 MiB ÷ 1000.
  assert.equal(s.perStreamKiB, (108 * MiB) / 1000 / 1024);
});

Deno.test({
  name: "bench_stream_memory opens streams through the relay, the floor relay and the gateway",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "scripts/bench_stream_memory.ts", "--streams", "20", "--rounds", "1"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    for (const name of ["relay", "floor", "gateway"]) {
      const row = new RegExp(`^\\| ${name} \\| (\\d+) \\| (\\d+) \\| (-?\\d+) \\|$`, "m").exec(text);
      assert.ok(row, `no row for ${name} in\n${text}`);
      assert.ok(Number(row[1]) > 0 && Number(row[2]) >= Number(row[1]) - 1, row[0]);
    }
    const bad = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "scripts/bench_stream_memory.ts", "--subjects", "nginx"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(bad.code, 2);
    assert.match(new TextDecoder().decode(bad.stderr), /^Usage:/);
  },
});
