/**
 * The store contract: what every `Store` implementation must do alike (SQLite, PostgreSQL, the replica's
 * snapshot-backed PostgreSQL store). Each implementation's test file runs `storeContract()`.
 */
import assert from "node:assert/strict";
import { type ApiKey, type Store, StoreError } from "../../src/store/types.ts";

/** Registers the contract's tests for the store `open()` returns (an empty store each time). */
export function storeContract(
  label: string,
  open: () => Promise<Store>,
  options: { sanitize?: boolean } = {},
): void {
  const t = (name: string, fn: () => Promise<void>) =>
    Deno.test({
      name: `${label} ${name}`,
      fn,
      sanitizeOps: options.sanitize ?? true,
      sanitizeResources: options.sanitize ?? true,
    });

  const admin = { role: "admin" as const, id: "manage:admin" };
  const at = (t: number) => ({ actor: admin, at: t });
  const project = (name: string) => ({
    name,
    description: "",
    metadata: {},
    policy: {},
    upstreamCredentials: {},
  });
  const newKey = (id: string, sha: string, over: Partial<ApiKey> = {}) => ({
    id,
    project: "demo",
    name: "ci",
    prefix: "abcdefgh",
    sha256: sha.repeat(64),
    policy: {},
    expiresAt: null,
    ...over,
  });

  t("keeps projects with their policy, metadata and credential references", async () => {
    const store = await open();
    const created = await store.createProject({
      ...project("demo"),
      description: "Demo",
      metadata: { owner: "data" },
      policy: { models: ["gpt-4o*"], rpm: 10, dailyCostEur: 2.5 },
      upstreamCredentials: { "azure-main": "env:DEMO_KEY" },
    }, at(1));
    assert.deepEqual(await store.getProject("demo"), created);
    assert.equal(await store.getProject("nope"), null);
    await assert.rejects(
      store.createProject(project("demo"), at(2)),
      (e) => e instanceof StoreError && e.code === "conflict",
    );
    const updated = await store.updateProject("demo", { disabled: true, policy: { rpm: 1 } }, at(3));
    assert.deepEqual([updated.disabled, updated.policy, updated.createdAt, updated.updatedAt], [
      true,
      { rpm: 1 },
      1,
      3,
    ]);
    await assert.rejects(
      store.updateProject("nope", {}, at(4)),
      (e) => e instanceof StoreError && e.code === "not_found",
    );
    await store.close();
  });

  t("pages lists with limit and cursor", async () => {
    const store = await open();
    for (const name of ["a", "b", "c", "d", "e"]) await store.createProject(project(name), at(1));
    const first = await store.listProjects({ limit: 2 });
    assert.deepEqual(first.items.map((p) => p.name), ["a", "b"]);
    const second = await store.listProjects({ limit: 2, cursor: first.nextCursor! });
    assert.deepEqual(second.items.map((p) => p.name), ["c", "d"]);
    const last = await store.listProjects({ limit: 2, cursor: second.nextCursor! });
    assert.deepEqual([last.items.map((p) => p.name), last.nextCursor], [["e"], null]);
    await assert.rejects(
      store.listProjects({ limit: 2, cursor: "zzz" }),
      (e) => e instanceof StoreError && e.code === "invalid_cursor",
    );
    await store.close();
  });

  t("keys: create, find by digest, disable, rotate", async () => {
    const store = await open();
    await store.createProject(project("demo"), at(1));
    await assert.rejects(
      store.createKey(newKey("key_x", "0", { project: "nope" }), at(1)),
      /Project "nope" does not exist/,
    );
    const key = await store.createKey(newKey("key_1", "1"), at(2));
    const found = await store.findCredential("1".repeat(64));
    assert.equal(found?.kind, "key");
    assert.deepEqual(found?.kind === "key" && found.key, key);
    assert.equal(found?.project?.name, "demo");
    await assert.rejects(
      store.createKey(newKey("key_2", "1"), at(3)),
      (e) => e instanceof StoreError && e.code === "conflict",
    );

    const { previous, key: next } = await store.rotateKey("key_1", newKey("key_3", "3"), {
      graceUntil: 100,
      ...at(10),
    });
    assert.deepEqual([previous.expiresAt, previous.replacedBy, next.project], [100, "key_3", "demo"]);
    await assert.rejects(
      store.rotateKey("key_1", newKey("key_4", "4"), { graceUntil: 100, ...at(11) }),
      /already rotated/,
    );
    assert.equal(await store.getKey("key_4"), null, "the failed rotation left nothing behind");

    const disabled = await store.updateKey("key_3", { disabledAt: 20 }, at(20));
    assert.equal(disabled.disabledAt, 20);
    assert.deepEqual((await store.listKeys({ limit: 10, project: "demo" })).items.map((k) => k.id), [
      "key_1",
      "key_3",
    ]);
    assert.deepEqual((await store.listKeys({ limit: 10, project: "other" })).items, []);
    await store.close();
  });

  t("tokens: create, count uses in batches, revoke", async () => {
    const store = await open();
    await store.createProject(project("demo"), at(1));
    const token = await store.createToken({
      id: "tok_1",
      project: "demo",
      name: "nb",
      prefix: "qrstuvwx",
      sha256: "9".repeat(64),
      policy: { rpm: 2 },
      expiresAt: 1_000,
      maxRequests: 10,
    }, at(1));
    await store.addTokenUses(new Map([["tok_1", 3]]));
    await store.addTokenUses(new Map([["tok_1", 2], ["tok_gone", 1]]));
    await store.addTokenUses(new Map());
    assert.equal((await store.getToken("tok_1"))?.requestCount, 5);
    const found = await store.findCredential("9".repeat(64));
    assert.deepEqual(found?.kind === "token" && found.token.policy, token.policy);
    assert.equal((await store.updateToken("tok_1", { revokedAt: 50 }, at(50))).revokedAt, 50);
    await assert.rejects(
      store.updateToken("tok_9", { revokedAt: 1 }, at(50)),
      /Token "tok_9" does not exist/,
    );
    assert.equal((await store.listTokens({ limit: 5 })).items.length, 1);
    assert.equal(await store.findCredential("8".repeat(64)), null);
    await store.close();
  });

  t("writes one audit entry per change, in the same transaction", async () => {
    const store = await open();
    await store.createProject(project("demo"), at(1));
    await store.createProject(project("other"), at(2));
    await store.createKey(newKey("key_1", "1"), at(3));
    await store.updateKey("key_1", { disabledAt: 4 }, { actor: { role: "local", id: "cli:ann" }, at: 4 });
    await assert.rejects(store.createKey(newKey("key_2", "1"), at(5)));
    const all = await store.listAudit({ limit: 10 });
    assert.deepEqual(all.items.map((e) => e.action), [
      "key.disable",
      "key.create",
      "project.create",
      "project.create",
    ]);
    const [disable] = all.items;
    assert.deepEqual(disable!.actor, { role: "local", id: "cli:ann" });
    assert.equal(disable!.before?.status, "active");
    assert.equal(disable!.after?.status, "disabled");
    assert.ok(!JSON.stringify(all.items).includes("1".repeat(64)), "no digest in the audit trail");
    const demo = await store.listAudit({ limit: 10, project: "demo" });
    assert.equal(demo.items.length, 3);
    const byTarget = await store.listAudit({ limit: 1, targetType: "key", targetId: "key_1" });
    assert.deepEqual(byTarget.items.map((e) => e.action), ["key.disable"]);
    const older = await store.listAudit({
      limit: 1,
      targetType: "key",
      targetId: "key_1",
      cursor: byTarget.nextCursor!,
    });
    assert.deepEqual([older.items.map((e) => e.action), older.nextCursor], [["key.create"], null]);
    await store.close();
    await store.close();
  });
}
