import assert from "node:assert/strict";
import { Yielder } from "../../src/logs/yield.ts";

Deno.test("Yielder.maybeYield() lets waiting timer tasks (and so network I/O) run", async () => {
  const y = new Yielder(0);
  let ran = false;
  setTimeout(() => ran = true, 0);
  await y.maybeYield();
  assert.equal(ran, true);
  y.close();
});

Deno.test("Yielder.maybeYield() returns at once inside a slice", async () => {
  const y = new Yielder(60_000);
  let ran = false;
  const t = setTimeout(() => ran = true, 0);
  await y.maybeYield();
  assert.equal(ran, false);
  clearTimeout(t);
  y.reset();
});
