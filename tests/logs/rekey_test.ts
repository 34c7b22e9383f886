/** A rotated sealing key (a Key Vault secret refreshed): records queued after `rekey()` use the new key. */
import assert from "node:assert/strict";
import { openRequestLog } from "../../src/logs/mod.ts";
import { callRecord, keyEnv, logConfig, readDay } from "./_util.ts";
import { generateKeyText } from "../../src/logs/keyring.ts";

Deno.test("RequestLog.rekey() seals the next records with the rotated key and redacts the rotated secrets", async () => {
  const dir = await Deno.makeTempDir();
  const { env } = keyEnv();
  const vars: Record<string, string | undefined> = {
    LOG_KEY: env("LOG_KEY"),
    TEST_UPSTREAM_KEY: env("TEST_UPSTREAM_KEY"),
  };
  const log = await openRequestLog(logConfig(dir, { keys: [{ key: "env:LOG_KEY" }] }), {
    env: (n) => vars[n],
  });
  const body = (secret: string) =>
    new TextEncoder().encode(JSON.stringify({ messages: [{ role: "user", content: secret }] }));
  try {
    log.sink(callRecord({ id: "before", requestBody: body("upstream-secret-0123456789") }));
    vars.LOG_KEY = generateKeyText();
    vars.TEST_UPSTREAM_KEY = "rotated-upstream-secret-9876543210";
    await log.rekey();
    log.sink(callRecord({ id: "after", requestBody: body("rotated-upstream-secret-9876543210") }));
  } finally {
    await log.close();
  }
  const [before, after] = await readDay(dir);
  const kid = (r: { request?: unknown }) => (r.request as { kid: string }).kid;
  assert.equal(before!.id, "before");
  assert.notEqual(kid(before!), kid(after!), "the record after the rotation is sealed with the new key");
  const text = await Deno.readTextFile(`${dir}/20251214/requests-gw1.jsonl`);
  assert.ok(!text.includes("rotated-upstream-secret"));
  await Deno.remove(dir, { recursive: true });
});
