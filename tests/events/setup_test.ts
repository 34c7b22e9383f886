import assert from "node:assert/strict";
import { openNamedSink } from "../../src/events/setup.ts";
import { costConfig } from "../cost/_util.ts";

Deno.test("openNamedSink() builds a configured sink by name, or names the ones there are", async () => {
  const dir = await Deno.makeTempDir();
  const config = costConfig({
    budget: { webhook: { url: "https://example.com/hook" } },
    events: { dead_letter_dir: `${dir}/dl`, sinks: [{ type: "file", name: "archive", path: `${dir}/ev` }] },
  });
  const found = await openNamedSink(config, "archive");
  assert.equal(found.sink.name, "archive");
  assert.equal(found.config.type, "file");
  assert.equal(found.deadLetter.pathOf("archive", 0), `${dir}/dl/archive-19700101.jsonl`);
  assert.equal((await openNamedSink(config, "budget_webhook")).sink.name, "budget_webhook");
  await assert.rejects(
    openNamedSink(config, "budget_webhook", { legacy: false }),
    /Unknown sink "budget_webhook": the configured sinks are "archive"/,
  );
  await assert.rejects(openNamedSink(costConfig({}), "x"), /the configured sinks are none/);
});
