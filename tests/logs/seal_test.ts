import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { decodeKeyText, deriveKid, generateKeyText, importLogKey, Keyring } from "../../src/logs/keyring.ts";
import { additionalData, LogOpenError, openField, type SealedField, sealField } from "../../src/logs/seal.ts";
import { gunzipSync } from "node:zlib";

const enc = new TextEncoder();
const dec = new TextDecoder();

async function newKey(kid?: string) {
  return await importLogKey(decodeKeyText(generateKeyText()), kid);
}

async function rejects(p: Promise<unknown>, reason: RegExp, id = "a") {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof LogOpenError, `expected LogOpenError, got ${err}`);
    assert.equal(err.id, id);
    assert.match(err.message, new RegExp(`^Cannot decrypt log record "${id}": `));
    assert.match(err.reason, reason);
    return true;
  });
}

Deno.test("sealField() round-trips small and large bodies", async (t) => {
  const key = await newKey("k1");
  const ring = new Keyring([key]);
  for (const size of [0, 10, 127, 128, 5_000, 100_000]) {
    await t.step(`${size} bytes`, async () => {
      const plain = enc.encode("x".repeat(size));
      const sealed = await sealField(plain, { id: "a", field: "request" }, key);
      assert.equal(sealed.alg, "A256GCM");
      assert.equal(sealed.kid, "k1");
      assert.equal(sealed.gz, size >= 128);
      assert.equal(sealed.trunc, false);
      assert.equal(Buffer.from(sealed.iv, "base64").length, 12);
      const opened = await openField(sealed, { id: "a", field: "request" }, ring);
      assert.equal(dec.decode(opened.plain), "x".repeat(size));
      if (size === 100_000) assert.ok(sealed.ct.length < 2_000, "compressed before sealing");
    });
  }
});

Deno.test("sealField() uses a fresh IV for every field", async () => {
  const key = await newKey();
  const a = await sealField(enc.encode("same"), { id: "a", field: "request" }, key);
  const b = await sealField(enc.encode("same"), { id: "a", field: "request" }, key);
  assert.notEqual(a.iv, b.iv);
  assert.notEqual(a.ct, b.ct);
  assert.match(a.kid, /^k[0-9a-f]{8}$/);
  assert.equal(deriveKid(new Uint8Array(32)), "k66687aad");
});

Deno.test("openField() rejects tampered fields", async (t) => {
  const key = await newKey("k1");
  const ring = new Keyring([key]);
  const plain = enc.encode(
    JSON.stringify({
      // Long enough to be compressed, so flipping `gz` is a real change.
      messages: [{ role: "user", content: "secret plans for the whole quarter, in detail. ".repeat(3) }],
    }),
  );
  const sealed = await sealField(plain, { id: "a", field: "request" }, key);

  await t.step("a flipped ciphertext byte", async () => {
    const ct = Buffer.from(sealed.ct, "base64");
    ct[3]! ^= 1;
    await rejects(
      openField({ ...sealed, ct: ct.toString("base64") }, { id: "a", field: "request" }, ring),
      /^authentication tag mismatch$/,
    );
  });
  await t.step("a flipped IV byte", async () => {
    const iv = Buffer.from(sealed.iv, "base64");
    iv[0]! ^= 0x80;
    await rejects(
      openField({ ...sealed, iv: iv.toString("base64") }, { id: "a", field: "request" }, ring),
      /authentication tag mismatch/,
    );
  });
  await t.step("moved to another record", async () => {
    await rejects(openField(sealed, { id: "b", field: "request" }, ring), /authentication tag mismatch/, "b");
  });
  await t.step("moved to the other field", async () => {
    await rejects(openField(sealed, { id: "a", field: "response" }, ring), /authentication tag mismatch/);
  });
  await t.step("the gz or trunc flag flipped", async () => {
    assert.equal(sealed.gz, true);
    await rejects(openField({ ...sealed, gz: false }, { id: "a", field: "request" }, ring), /tag mismatch/);
    await rejects(openField({ ...sealed, trunc: true }, { id: "a", field: "request" }, ring), /tag mismatch/);
  });
  await t.step("an unknown key id", async () => {
    await rejects(
      openField({ ...sealed, kid: "k9" }, { id: "a", field: "request" }, ring),
      /^no key with id "k9"$/,
    );
  });
  await t.step("the wrong key under the right id", async () => {
    const other = new Keyring([await newKey("k1")]);
    await rejects(openField(sealed, { id: "a", field: "request" }, other), /authentication tag mismatch/);
  });
  await t.step("not a sealed field", async () => {
    await rejects(openField({ alg: "none" }, { id: "a", field: "request" }, ring), /^not a sealed field$/);
    await rejects(openField("text", { id: "a", field: "request" }, ring), /^not a sealed field$/);
  });
  await t.step("a short IV", async () => {
    await rejects(
      openField({ ...sealed, iv: "AAAA" }, { id: "a", field: "request" }, ring),
      /^IV of 3 bytes/,
    );
  });
  await t.step("a message never contains the plaintext", async () => {
    try {
      await openField({ ...sealed, kid: "zz" }, { id: "a", field: "request" }, ring);
    } catch (err) {
      assert.ok(!(err as Error).message.includes("secret plans"));
    }
  });
});

Deno.test("Keyring opens fields of old keys after rotation", async () => {
  const old = await newKey("2024");
  const current = await newKey("2025");
  const before = await sealField(enc.encode("old"), { id: "a", field: "response" }, old);
  const ring = new Keyring([current, old]);
  assert.equal(ring.active?.kid, "2025");
  const after = await sealField(enc.encode("new"), { id: "b", field: "response" }, ring.active!);
  assert.equal(after.kid, "2025");
  assert.equal(dec.decode((await openField(before, { id: "a", field: "response" }, ring)).plain), "old");
  assert.equal(dec.decode((await openField(after, { id: "b", field: "response" }, ring)).plain), "new");
  assert.deepEqual(ring.kids, ["2025", "2024"]);
  assert.equal(new Keyring([current], { sealing: false }).active, null);
});

Deno.test("Keyring rejects two different keys with one id, accepts the same key twice", async () => {
  const text = generateKeyText();
  const a = await importLogKey(decodeKeyText(text), "same");
  const b = await importLogKey(decodeKeyText(text), "same");
  assert.equal(new Keyring([a, b]).size, 1);
  const c = await newKey("same");
  assert.throws(() => new Keyring([a, c]), /^RangeError: Duplicate log key id "same"$/);
});

Deno.test("decodeKeyText() accepts 32 bytes of base64 only, never echoing the text", () => {
  const text = generateKeyText();
  assert.equal(text.length, 44);
  assert.equal(decodeKeyText(` ${text}\n`).length, 32);
  assert.equal(decodeKeyText(Buffer.from(decodeKeyText(text)).toString("base64url")).length, 32);
  assert.throws(() => decodeKeyText("c2hvcnQ="), /^TypeError: expected 32 bytes in base64, got 5 bytes$/);
  assert.throws(() => decodeKeyText("not base64 at all!"), (err: Error) => !err.message.includes("at all"));
});

Deno.test("sealField() marks truncated bodies", async () => {
  const key = await newKey();
  const sealed: SealedField = await sealField(enc.encode('{"a":'), { id: "a", field: "request" }, key, {
    trunc: true,
  });
  assert.equal(sealed.trunc, true);
  assert.equal((await openField(sealed, { id: "a", field: "request" }, new Keyring([key]))).trunc, true);
});

Deno.test("openField() opens fields sealed with WebCrypto AES-GCM (data then tag), as earlier versions wrote", async () => {
  const text = generateKeyText();
  const raw = decodeKeyText(text);
  const web = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ctx = { id: "old", field: "response" } as const;
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: additionalData(ctx, false, false) },
    web,
    enc.encode('{"ok":true}'),
  );
  const sealed: SealedField = {
    alg: "A256GCM",
    kid: "k",
    iv: Buffer.from(iv).toString("base64"),
    ct: Buffer.from(ct).toString("base64"),
    gz: false,
    trunc: false,
  };
  const ring = new Keyring([await importLogKey(raw, "k")]);
  assert.equal(dec.decode((await openField(sealed, ctx, ring)).plain), '{"ok":true}');
  // And the other way round: what this version seals, WebCrypto opens.
  const mine = await sealField(enc.encode("x".repeat(200)), ctx, ring.get("k")!);
  const webOpen = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["decrypt"]);
  const plain = await crypto.subtle.decrypt(
    {
      name: "AES-GCM",
      iv: Buffer.from(mine.iv, "base64"),
      additionalData: additionalData(ctx, mine.gz, false),
    },
    webOpen,
    Buffer.from(mine.ct, "base64"),
  );
  assert.equal(mine.gz, true);
  assert.equal(dec.decode(gunzipSync(new Uint8Array(plain))), "x".repeat(200));
});

Deno.test("openField() refuses a ciphertext shorter than the tag", async () => {
  const key = await newKey("k");
  const sealed = await sealField(enc.encode("hi"), { id: "a", field: "request" }, key);
  await rejects(
    openField({ ...sealed, ct: "AAAA" }, { id: "a", field: "request" }, new Keyring([key])),
    /tag/,
  );
});

Deno.test("importLogKey() refuses a key that is not 32 bytes", async () => {
  await assert.rejects(importLogKey(new Uint8Array(16)), /expected 32 bytes of key, got 16/);
});
