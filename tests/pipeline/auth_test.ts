import assert from "node:assert/strict";
import { presentedKey } from "../../src/pipeline/auth.ts";
import { createAuthenticator } from "../_helpers/callers.ts";
import { sha256Hex } from "../../src/core/sha256.ts";
import { GatewayError } from "../../src/core/errors.ts";

const KEY = "azmw_test_key_1";
const keys = [{ id: "dev", sha256: sha256Hex(KEY), project: "demo" }];

Deno.test("presentedKey() reads Bearer, api-key and x-api-key", () => {
  assert.equal(presentedKey(new Headers({ authorization: `Bearer ${KEY}` })), KEY);
  assert.equal(presentedKey(new Headers({ authorization: `bearer   ${KEY}  ` })), KEY);
  assert.equal(presentedKey(new Headers({ "api-key": KEY })), KEY);
  assert.equal(presentedKey(new Headers({ "x-api-key": KEY })), KEY);
  assert.equal(presentedKey(new Headers({ authorization: "Basic abc" })), undefined);
  assert.equal(presentedKey(new Headers()), undefined);
});

Deno.test("createAuthenticator() accepts a configured key in each header", () => {
  const auth = createAuthenticator(keys);
  for (const h of [{ authorization: `Bearer ${KEY}` }, { "api-key": KEY }, { "x-api-key": KEY }]) {
    assert.deepEqual(auth(new Headers(h)), { keyId: "dev", project: "demo", tokenId: null });
  }
});

Deno.test("createAuthenticator() rejects missing and wrong keys with 401", () => {
  const auth = createAuthenticator(keys);
  assert.throws(
    () => auth(new Headers()),
    (e: GatewayError) => e.status === 401 && e.code === "missing_api_key",
  );
  assert.throws(
    () => auth(new Headers({ "api-key": "wrong" })),
    (e: GatewayError) => e.status === 401 && e.code === "invalid_api_key" && !e.message.includes("wrong"),
  );
});

Deno.test("createAuthenticator() lets anonymous callers in only when auth is not required", () => {
  const auth = createAuthenticator(keys, { required: false });
  assert.equal(auth(new Headers()).keyId, "anonymous");
  assert.throws(() => auth(new Headers({ "api-key": "wrong" })), GatewayError);
});

Deno.test("createAuthenticator() refuses a malformed digest", () => {
  assert.throws(() => createAuthenticator([{ id: "x", sha256: "abc" }]), TypeError);
});
