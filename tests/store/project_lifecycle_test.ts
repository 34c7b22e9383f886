/** Project ids, renames and deletion, on the SQLite store (the same contract holds for every store). */
import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";
import type { Store } from "../../src/store/types.ts";

const CTX = { actor: { role: "local" as const, id: "cli:test" }, at: 1_000 };
const PROJECT = { name: "demo", description: "", metadata: {}, policy: {}, upstreamCredentials: {} };

/** The project lifecycle contract over a fresh store. */
export async function projectLifecycle(store: Store) {
  const p = await store.createProject(PROJECT, CTX);
  assert.match(p.id, /^[0-9a-f-]{36}$/);
  assert.equal((await store.getProjectById(p.id))?.name, "demo");
  await store.createKey({
    id: "key_1",
    project: "demo",
    name: "ci",
    prefix: "abcdefgh",
    sha256: "a".repeat(64),
    policy: {},
    expiresAt: null,
  }, CTX);
  await store.createToken({
    id: "tok_1",
    project: "demo",
    name: "",
    prefix: "ijklmnop",
    sha256: "b".repeat(64),
    policy: {},
    expiresAt: 10_000,
    maxRequests: null,
  }, CTX);
  await store.createProject({ ...PROJECT, name: "taken" }, CTX);

  await assert.rejects(
    store.updateProject("demo", { name: "taken" }, { ...CTX, at: 2_000 }),
    /already exists/,
  );
  const renamed = await store.updateProject("demo", { name: "demo-2" }, { ...CTX, at: 2_000 });
  assert.equal(renamed.id, p.id);
  assert.equal(await store.getProject("demo"), null);
  assert.equal((await store.getKey("key_1"))?.project, "demo-2", "keys follow a rename");
  assert.equal((await store.getToken("tok_1"))?.project, "demo-2", "tokens follow a rename");
  assert.equal((await store.findCredential("a".repeat(64)))?.project?.name, "demo-2");

  const gone = await store.deleteProject("demo-2", { ...CTX, at: 3_000 });
  assert.equal(gone.id, p.id);
  assert.equal(await store.getProject("demo-2"), null);
  assert.equal(await store.getProjectById(p.id), null);
  assert.equal((await store.getKey("key_1"))?.disabledAt, 3_000);
  assert.equal((await store.getToken("tok_1"))?.revokedAt, 3_000);
  assert.deepEqual((await store.listProjects({ limit: 10 })).items.map((x) => x.name), ["taken"]);
  await assert.rejects(store.createProject({ ...PROJECT, name: "demo-2" }, CTX), /deleted project/);
  await assert.rejects(store.deleteProject("demo-2", CTX), /does not exist/);
  const actions = (await store.listAudit({ limit: 10 })).items.map((a) => a.action);
  assert.deepEqual(actions.slice(0, 2), ["project.delete", "project.rename"]);
}

Deno.test("SQLite store: a project keeps its id through a rename, and a delete revokes its callers", async () => {
  const store = await openStore(":memory:");
  try {
    await projectLifecycle(store);
  } finally {
    await store.close();
  }
});
