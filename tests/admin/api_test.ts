import assert from "node:assert/strict";
import { createManageApi } from "../../src/admin/api.ts";
import { openStore } from "../../src/store/mod.ts";
import { manageApi, READER } from "./_util.ts";

Deno.test("createManageApi() checks the management token and the role", async (t) => {
  const api = await manageApi();
  await t.step("no token is 401 with WWW-Authenticate", async () => {
    const r = await api.call("GET", "/manage/projects", undefined, null);
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, "missing_management_token");
    assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer/);
  });
  await t.step("a wrong token is 401", async () => {
    const r = await api.call("GET", "/manage/projects", undefined, "nope");
    assert.deepEqual([r.status, r.body.error.code, r.body.error.type], [
      401,
      "invalid_management_token",
      "authentication_error",
    ]);
  });
  await t.step("the reader reads", async () => {
    const r = await api.call("GET", "/manage/projects?limit=20", undefined, READER);
    assert.deepEqual([r.status, r.body.object, r.body.data], [200, "list", []]);
  });
  await t.step("the reader cannot write", async () => {
    const r = await api.call("POST", "/manage/projects", { name: "demo" }, READER);
    assert.deepEqual([r.status, r.body.error.code, r.body.error.type], [
      403,
      "read_only_token",
      "permission_error",
    ]);
    assert.equal((await api.store.listProjects({ limit: 10 })).items.length, 0);
  });
  await t.step("the admin writes", async () => {
    const r = await api.call("POST", "/manage/projects", { name: "demo" });
    assert.deepEqual([r.status, r.body.object, r.body.name], [201, "project", "demo"]);
  });
  await t.step("a gateway without management tokens has no management API", async () => {
    const off = createManageApi(await openStore(":memory:"), {});
    const r = await off(new Request("http://gw/manage/projects", { headers: { authorization: "Bearer x" } }));
    assert.equal(r.status, 404);
    assert.match((await r.json()).error.message, /manage\.token/);
  });
});

Deno.test("createManageApi() answers unknown paths with 404 and wrong methods with 405", async () => {
  const api = await manageApi();
  const r404 = await api.call("GET", "/manage/nothing");
  assert.deepEqual([r404.status, r404.body.error.code], [404, "not_found"]);
  const other = await api.call("GET", "/elsewhere");
  assert.equal(other.status, 404);
  const r405 = await api.call("DELETE", "/manage/keys");
  assert.deepEqual([r405.status, r405.headers.get("allow")], [405, "GET, POST"]);
  const missing = await api.call("GET", "/manage/keys/key_0000");
  assert.deepEqual([missing.status, missing.body.error.message], [404, 'API key "key_0000" does not exist']);
  const noProject = await api.call("GET", "/manage/projects/ghost");
  assert.equal(noProject.status, 404);
  const head = await api.handler(
    new Request("http://gw/manage/projects", {
      method: "HEAD",
      headers: { authorization: `Bearer ${READER}` },
    }),
  );
  assert.equal(head.status, 200);
});

Deno.test("createManageApi() reports validation errors as OpenAI-style 400s naming the field", async (t) => {
  const api = await manageApi();
  await api.call("POST", "/manage/projects", { name: "demo" });
  const cases: [string, string, unknown, string, RegExp][] = [
    ["POST", "/manage/projects", { name: "Bad Name" }, "name", /expected a project name/],
    ["POST", "/manage/projects", {}, "name", /required/],
    ["POST", "/manage/projects", { name: "x", policy: { rpm: "fast" } }, "policy.rpm", /expected an integer/],
    [
      "POST",
      "/manage/projects",
      { name: "x", policy: { operations: ["chat", "images"] } },
      "policy.operations[1]",
      /one of/,
    ],
    [
      "POST",
      "/manage/projects",
      { name: "x", policy: { daily_cost_eur: -1 } },
      "policy.daily_cost_eur",
      /number from 0/,
    ],
    ["POST", "/manage/projects", { name: "x", colour: "red" }, "colour", /unknown key/],
    [
      "POST",
      "/manage/projects",
      { name: "x", upstream_credentials: { main: "sk-live-123" } },
      "upstream_credentials.main",
      /got a literal value/,
    ],
    ["POST", "/manage/projects", { name: "x", metadata: [1] }, "metadata", /expected a JSON object/],
    ["POST", "/manage/keys", { project: "demo", expires_in: "soon" }, "expires_in", /expected a duration/],
    [
      "POST",
      "/manage/keys",
      { project: "demo", expires_at: "2000-01-01T00:00:00Z" },
      "expires_at",
      /in the future/,
    ],
    [
      "POST",
      "/manage/keys",
      { project: "demo", expires_in: "1d", expires_at: "2099-01-01T00:00:00Z" },
      "expires_at",
      /either/,
    ],
    ["POST", "/manage/tokens", { project: "demo", ttl: "90d" }, "ttl", /to 2592000s/],
    ["POST", "/manage/tokens", { project: "demo", max_requests: 0 }, "max_requests", /from 1/],
    ["GET", "/manage/keys?limit=500", undefined, "limit", /from 1 to 100/],
    ["GET", "/manage/keys?cursor=bogus", undefined, "cursor", /Invalid cursor/],
    ["GET", "/manage/audit?target_type=user", undefined, "target_type", /one of/],
  ];
  for (const [method, path, body, param, message] of cases) {
    await t.step(`${method} ${path} ${param}`, async () => {
      const r = await api.call(method, path, body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error.type, "invalid_request_error");
      assert.equal(r.body.error.param, param);
      assert.match(r.body.error.message, message);
      assert.ok(!r.body.error.message.includes("sk-live-123"), "a pasted secret is never echoed");
    });
  }
  await t.step("invalid JSON", async () => {
    const r = await api.call("POST", "/manage/projects", "{nope");
    assert.deepEqual([r.status, r.body.error.code], [400, "invalid_json"]);
  });
  await t.step("a body that is too large is 413", async () => {
    const r = await api.call("POST", "/manage/projects", { name: "x", description: "d".repeat(70_000) });
    assert.equal(r.status, 413);
  });
  await t.step("a duplicate is 409, an unknown project 404", async () => {
    assert.equal((await api.call("POST", "/manage/projects", { name: "demo" })).status, 409);
    assert.equal((await api.call("POST", "/manage/keys", { project: "ghost" })).status, 404);
  });
});

Deno.test("createManageApi() pages lists with limit and cursor", async () => {
  const api = await manageApi();
  await api.call("POST", "/manage/projects", { name: "demo" });
  await api.call("POST", "/manage/projects", { name: "other" });
  for (let i = 0; i < 5; i++) {
    await api.call("POST", "/manage/keys", { project: i < 3 ? "demo" : "other", name: `k${i}` });
  }
  const page1 = await api.call("GET", "/manage/keys?limit=2");
  assert.deepEqual([page1.body.data.map((k: { name: string }) => k.name), page1.body.has_more], [
    ["k0", "k1"],
    true,
  ]);
  const page2 = await api.call("GET", `/manage/keys?limit=2&cursor=${page1.body.next_cursor}`);
  assert.deepEqual(page2.body.data.map((k: { name: string }) => k.name), ["k2", "k3"]);
  const page3 = await api.call("GET", `/manage/keys?limit=2&cursor=${page2.body.next_cursor}`);
  assert.deepEqual([page3.body.data.length, page3.body.next_cursor, page3.body.has_more], [1, null, false]);
  const demo = await api.call("GET", "/manage/keys?project=other");
  assert.deepEqual(demo.body.data.map((k: { name: string }) => k.name), ["k3", "k4"]);
});

Deno.test("keys and tokens through the API: the secret is shown once, then only its prefix", async () => {
  const api = await manageApi();
  await api.call("POST", "/manage/projects", { name: "demo", policy: { rpm: 10 } });
  const created = await api.call("POST", "/manage/keys", { project: "demo", name: "ci", expires_in: "30d" });
  assert.equal(created.status, 201);
  const secret: string = created.body.secret;
  assert.match(secret, /^azmw_[A-Za-z0-9_-]{43}$/);
  assert.equal(created.body.prefix, secret.slice(0, 13));
  assert.equal(created.body.expires_at, new Date(api.clock.now() + 30 * 86_400_000).toISOString());
  const shown = await api.call("GET", `/manage/keys/${created.body.id}`);
  assert.equal(shown.body.secret, undefined);
  assert.ok(!JSON.stringify(shown.body).includes(secret.slice(13)));

  const patched = await api.call("PATCH", `/manage/keys/${created.body.id}`, {
    name: "ci-2",
    policy: { rpm: 2 },
    expires_at: null,
  });
  assert.deepEqual([patched.body.name, patched.body.policy, patched.body.expires_at], [
    "ci-2",
    { rpm: 2 },
    null,
  ]);

  const rotated = await api.call("POST", `/manage/keys/${created.body.id}/rotate`, { grace: "2h" });
  assert.equal(rotated.status, 201);
  assert.notEqual(rotated.body.secret, secret);
  assert.deepEqual([rotated.body.previous.status, rotated.body.previous.replaced_by], [
    "grace",
    rotated.body.id,
  ]);
  assert.deepEqual(
    [rotated.body.name, rotated.body.policy],
    ["ci-2", { rpm: 2 }],
    "the new key keeps name and policy",
  );
  const again = await api.call("POST", `/manage/keys/${created.body.id}/rotate`);
  assert.deepEqual([again.status, again.body.error.code], [409, "conflict"]);

  const revoked = await api.call("POST", `/manage/keys/${rotated.body.id}/revoke`);
  assert.equal(revoked.body.status, "disabled");
  assert.equal(
    (await api.call("POST", `/manage/keys/${rotated.body.id}/revoke`)).status,
    200,
    "revoking twice is fine",
  );
  const enabled = await api.call("PATCH", `/manage/keys/${rotated.body.id}`, { disabled: false });
  assert.equal(enabled.body.status, "active");

  const token = await api.call("POST", "/manage/tokens", {
    project: "demo",
    ttl: "15m",
    max_requests: 100,
    rpm: 10,
    tpm: 5000,
  });
  assert.equal(token.status, 201);
  assert.match(token.body.secret, /^azmw_t_[A-Za-z0-9_-]{43}$/);
  assert.deepEqual([token.body.policy, token.body.max_requests, token.body.request_count], [
    { rpm: 10, tpm: 5000 },
    100,
    0,
  ]);
  assert.equal(token.body.expires_at, new Date(api.clock.now() + 15 * 60_000).toISOString());
  const defaultTtl = await api.call("POST", "/manage/tokens", { project: "demo" });
  assert.equal(defaultTtl.body.expires_at, new Date(api.clock.now() + 3_600_000).toISOString());
  const revokedToken = await api.call("POST", `/manage/tokens/${token.body.id}/revoke`);
  assert.equal(revokedToken.body.status, "revoked");
  assert.equal((await api.call("GET", `/manage/tokens/${token.body.id}`)).body.status, "revoked");
  assert.equal((await api.call("GET", "/manage/tokens?project=demo&limit=20")).body.data.length, 2);
  assert.ok(api.changes.length >= 8, "every change notifies");
});

Deno.test("projects through the API: update, disable and credentials", async () => {
  const api = await manageApi();
  const created = await api.call("POST", "/manage/projects", {
    name: "demo",
    description: "Demo",
    metadata: { owner: "data" },
    policy: { models: ["gpt-4o*"], max_tokens: 1000, daily_cost_eur: 12.5 },
    upstream_credentials: { "azure-main": "env:DEMO_AZURE_KEY" },
  });
  assert.deepEqual(created.body.policy, { models: ["gpt-4o*"], max_tokens: 1000, daily_cost_eur: 12.5 });
  assert.deepEqual(created.body.upstream_credentials, { "azure-main": "env:DEMO_AZURE_KEY" });
  const updated = await api.call("PATCH", "/manage/projects/demo", { disabled: true, description: "" });
  assert.deepEqual([updated.body.disabled, updated.body.description, updated.body.metadata], [true, "", {
    owner: "data",
  }]);
  const listed = await api.call("GET", "/manage/projects?limit=20");
  assert.equal(listed.body.data[0].disabled, true);
});
