import assert from "node:assert/strict";
import { createAppLog } from "../../src/observability/app_log.ts";

Deno.test("createAppLog() writes JSON lines and masks credential fields", () => {
  const lines: string[] = [];
  const log = createAppLog((l) => lines.push(l), { now: () => 0 });
  log.info("Gateway started", { url: "http://x", api_key: "sk-secret", key_id: "dev" });
  log.warn("Careful", { token: "t0k" });
  log.error("Failed", { reason: new TypeError("boom") });
  const parsed = lines.map((l) => JSON.parse(l));
  assert.deepEqual(parsed[0], {
    ts: "1970-01-01T00:00:00.000Z",
    level: "info",
    msg: "Gateway started",
    url: "http://x",
    api_key: "***",
    key_id: "dev",
  });
  assert.equal(parsed[1].token, "***");
  assert.equal(parsed[2].reason, "TypeError: boom");
  assert.ok(lines.every((l) => l.endsWith("\n")));
});

Deno.test("createAppLog() never throws when its output fails", () => {
  const log = createAppLog(() => {
    throw new Error("disk full");
  });
  log.error("still fine");
});
