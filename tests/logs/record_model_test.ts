import assert from "node:assert/strict";
import { logRecordOf } from "../../src/logs/record.ts";
import { Redactor } from "../../src/logs/redact.ts";
import { callRecord } from "./_util.ts";

Deno.test("logRecordOf() scrubs a known secret out of the caller's model name, as out of the error", () => {
  const secret = "upstream-secret-abcdef0123456789";
  const redactor = new Redactor({ builtin: ["api_key"], rules: [], dropPaths: [] }, { secrets: [secret] });
  const r = logRecordOf(
    callRecord({
      model: `x${secret}`,
      status: 404,
      error: {
        type: "not_found_error",
        code: "model_not_found",
        message: `The model "x${secret}" does not exist`,
      },
    }),
    "gw",
    (t) => redactor.text(t),
  );
  assert.equal(r.model, "x[SECRET]");
  assert.equal(r.error?.message, 'The model "x[SECRET]" does not exist');
  assert.equal(
    logRecordOf(callRecord({ model: "gpt-4o-2024-08-06" }), "gw", (t) => redactor.text(t)).model,
    "gpt-4o-2024-08-06",
  );
});
