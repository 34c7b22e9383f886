import assert from "node:assert/strict";
import { UsageError } from "../../src/cli/command.ts";
import { costPriceCommand, parseCostPriceArgs } from "../../src/cli/cost_price.ts";
import { fakeIo, runAzmw } from "../_helpers/cli.ts";

Deno.test("parseCostPriceArgs() takes one model and an optional deployment and config", () => {
  assert.deepEqual(parseCostPriceArgs(["gpt-4o"]), {
    model: "gpt-4o",
    deployment: undefined,
    config: undefined,
  });
  assert.deepEqual(parseCostPriceArgs(["gpt-4o", "--deployment", "prod", "-c", "c.yaml"]), {
    model: "gpt-4o",
    deployment: "prod",
    config: "c.yaml",
  });
  assert.throws(() => parseCostPriceArgs([]), UsageError);
  assert.throws(() => parseCostPriceArgs(["a", "b"]), /Unexpected argument "b"/);
  assert.throws(() => parseCostPriceArgs(["a", "--deployment="]), /needs a value/);
});

Deno.test("azmw cost price resolves snapshots, the deployment's model and the fallback", async (t) => {
  await t.step("a dated snapshot is priced as its family, with the row's source and date", async () => {
    const io = fakeIo();
    assert.equal(await costPriceCommand.run(parseCostPriceArgs(["gpt-5.4-2026-03-05"]), io), 0);
    assert.match(io.out, /priced by the entry "gpt-5\.4" \(family of "gpt-5\.4-2026-03-05"\)/);
    assert.match(io.out, /checked 2026-12-04/);
    assert.match(io.out, /input 2\.15, cached input 0\.215, output 12\.9/);
    assert.match(io.out, /Prompts over 272000 tokens/);
    assert.match(
      io.out,
      /service_tier "priority" \(https:\/\/openai\.com\/api-priority-processing\): input 4\.3,/,
    );
  });
  await t.step("a configured deployment is priced by the model it runs, from the config", async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/c.yaml`;
      await Deno.writeTextFile(
        path,
        `upstreams:
  - { name: az, kind: azure, endpoint: "https://r.example", auth: { type: api_key, key: env:U }, deployments: [{ name: chat-prod, model: gpt-4o-mini }] }
pricing: { models: { gpt-4o-mini: { input: 1, output: 2 } } }
`,
      );
      const io = fakeIo();
      await costPriceCommand.run(parseCostPriceArgs(["gpt-4o", "--deployment", "chat-prod", "-c", path]), io);
      assert.match(
        io.out,
        /on deployment "chat-prod" \(runs "gpt-4o-mini"\): priced by the entry "gpt-4o-mini"/,
      );
      assert.match(io.out, /Source: the config \(pricing\.models\)/);
      assert.match(io.out, /input 1, cached input 1, output 2/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
  await t.step("an unknown model gets the fallback", async () => {
    const io = fakeIo();
    await costPriceCommand.run(parseCostPriceArgs(["mystery-9"]), io);
    assert.match(io.out, /no entry matches; billed at the fallback price \(the highest known price/);
  });
});

Deno.test("azmw cost price --help describes itself; a missing model exits 2 (subprocess)", async () => {
  const help = await runAzmw(["cost", "price", "--help"]);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^Show the price a call of a model would be billed at/);
  assert.match(help.stdout, /Usage: azmw cost price <model> \[--deployment NAME\]/);
  const bad = await runAzmw(["cost", "price"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^azmw cost price: Missing the model name/);
});
