import assert from "node:assert/strict";
import { manageApi, READER } from "./_util.ts";

Deno.test("every change is in the audit trail: who, what, when, before and after", async () => {
  const api = await manageApi();
  await api.call("POST", "/manage/projects", { name: "demo" });
  const key = await api.call("POST", "/manage/keys", { project: "demo", name: "ci" });
  api.clock.advance(1_000);
  await api.call("POST", `/manage/keys/${key.body.id}/revoke`);
  await api.call("POST", "/manage/tokens", { project: "demo" });

  const trail = await api.call("GET", "/manage/audit", undefined, READER);
  assert.equal(trail.status, 200);
  const entries = trail.body.data;
  assert.deepEqual(entries.map((e: { action: string }) => e.action), [
    "token.create",
    "key.disable",
    "key.create",
    "project.create",
  ]);
  const disable = entries[1];
  assert.deepEqual(disable.actor, { role: "admin", id: "manage:admin" });
  assert.deepEqual(disable.target, { type: "key", id: key.body.id });
  assert.equal(disable.project, "demo");
  assert.equal(disable.at, new Date(api.clock.now()).toISOString());
  assert.deepEqual([disable.before.status, disable.after.status], ["active", "disabled"]);
  assert.equal(entries[3].before, null);

  const forKey = await api.call("GET", `/manage/audit?target_type=key&target_id=${key.body.id}&limit=1`);
  assert.deepEqual([forKey.body.data.length, forKey.body.has_more], [1, true]);
  const older = await api.call(
    "GET",
    `/manage/audit?target_type=key&target_id=${key.body.id}&cursor=${forKey.body.next_cursor}`,
  );
  assert.deepEqual(older.body.data.map((e: { action: string }) => e.action), ["key.create"]);
  const reads = (await api.call("GET", "/manage/audit?project=demo")).body.data.length;
  assert.equal(reads, 4, "reads are not audited");
});

Deno.test("secrets never reach the audit trail or the database file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const api = await manageApi({ path: `${dir}/azmw.db` });
    await api.call("POST", "/manage/projects", { name: "demo" });
    const key = await api.call("POST", "/manage/keys", { project: "demo" });
    const rotated = await api.call("POST", `/manage/keys/${key.body.id}/rotate`);
    const token = await api.call("POST", "/manage/tokens", { project: "demo" });
    const secrets: string[] = [key.body.secret, rotated.body.secret, token.body.secret];
    const trail = JSON.stringify((await api.call("GET", "/manage/audit")).body);
    for (const s of secrets) {
      assert.ok(!trail.includes(s), "no secret in the trail");
      assert.ok(!trail.includes(s.slice(14)), "not even the part after the prefix");
    }
    assert.match(trail, /"prefix":"azmw_/);
    await api.store.close();
    const files = [...Deno.readDirSync(dir)].map((e) => `${dir}/${e.name}`);
    const bytes = new TextDecoder("latin1").decode(
      new Uint8Array(files.flatMap((f) => [...Deno.readFileSync(f)])),
    );
    assert.ok(bytes.includes("demo"), "the data is there");
    for (const s of secrets) assert.ok(!bytes.includes(s.slice(14)), "no secret in the database files");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
