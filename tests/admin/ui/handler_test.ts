import assert from "node:assert/strict";
import { CSP } from "../../../src/admin/ui/http.ts";
import { safeNext } from "../../../src/admin/ui/handler.ts";
import { ADMIN, adminUi, callRecord, ORIGIN, READER } from "./_ui.ts";

Deno.test("admin UI serves its embedded assets with the CSP, without sign-in", async () => {
  const ui = await adminUi();
  try {
    for (
      const [path, type] of [
        ["/admin/assets/app.css", "text/css"],
        ["/admin/assets/app.js", "text/javascript"],
        ["/admin/assets/favicon.svg", "image/svg+xml"],
      ]
    ) {
      const res = await ui.request(path!, { auth: null });
      assert.equal(res.status, 200);
      assert.ok(res.headers.get("content-type")!.startsWith(type!));
      assert.equal(res.headers.get("content-security-policy"), CSP);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.ok(res.text.length > 100);
    }
    const head = await ui.request("/admin/assets/app.js", { auth: null, method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.text, "");
    assert.ok(!CSP.includes("unsafe-inline") && CSP.includes("script-src 'self'"));
  } finally {
    await ui.close();
  }
});

Deno.test("admin UI asks for sign-in: pages redirect, the JSON API answers 401, writes 401", async () => {
  const ui = await adminUi();
  try {
    const bare = await ui.request("/admin", { auth: null });
    assert.equal(bare.status, 303);
    assert.equal(bare.headers.get("location"), "/admin/");
    const page = await ui.request("/admin/usage?by=model", { auth: null });
    assert.equal(page.status, 303);
    assert.equal(page.headers.get("location"), "/admin/signin?next=%2Fadmin%2Fusage%3Fby%3Dmodel");
    const api = await ui.request("/admin/api/calls", { auth: null });
    assert.equal(api.status, 401);
    assert.equal(JSON.parse(api.text).error.code, "sign_in_required");
    const write = await ui.request("/admin/projects", { auth: null, form: { name: "x" } });
    assert.equal(write.status, 401);
    const wrong = await ui.request("/admin/", { auth: "not-a-token" });
    assert.equal(wrong.status, 303);
    const signin = await ui.request("/admin/signin", { auth: null });
    assert.equal(signin.status, 200);
    assert.ok(signin.text.includes('<label for="token">Management token</label>'));
  } finally {
    await ui.close();
  }
});

Deno.test("admin UI sign-in form: wrong token 401, right token a strict HttpOnly session", async (t) => {
  const ui = await adminUi();
  try {
    await t.step("a wrong token is refused", async () => {
      const res = await ui.request("/admin/signin", { auth: null, form: { token: "nope" } });
      assert.equal(res.status, 401);
      assert.ok(res.text.includes("Invalid token"));
      assert.equal(res.headers.get("set-cookie"), null);
    });
    await t.step("a form from another site is refused", async () => {
      const res = await ui.request("/admin/signin", {
        auth: null,
        form: { token: ADMIN },
        headers: { origin: "https://evil.example" },
      });
      assert.equal(res.status, 403);
    });
    await t.step("other methods are refused", async () => {
      assert.equal((await ui.request("/admin/signin", { auth: null, method: "PUT" })).status, 405);
    });
    let cookie = "";
    await t.step("the admin token starts a session and goes to `next`", async () => {
      const res = await ui.request("/admin/signin", {
        auth: null,
        form: { token: ADMIN, next: "/admin/audit" },
        headers: { origin: ORIGIN },
      });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/admin/audit");
      const set = res.headers.get("set-cookie")!;
      assert.match(
        set,
        /^azmw_admin=[A-Za-z0-9_-]{43}; Path=\/admin; HttpOnly; SameSite=Strict; Max-Age=43200$/,
      );
      cookie = set.split(";")[0]!;
    });
    await t.step("the session cookie signs in; HTTPS adds Secure", async () => {
      const page = await ui.request("/admin/", { auth: null, headers: { cookie: `other=1; ${cookie}` } });
      assert.equal(page.status, 200);
      assert.ok(page.text.includes("Sign out"));
      const https = await ui.request("/admin/signin", {
        auth: null,
        form: { token: READER },
        headers: { "x-forwarded-proto": "https" },
      });
      assert.match(https.headers.get("set-cookie")!, /; Secure$/);
    });
    await t.step("signing out needs the CSRF token, then ends the session", async () => {
      const page = await ui.request("/admin/", { auth: null, headers: { cookie } });
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const refused = await ui.request("/admin/signout", { auth: null, form: {}, headers: { cookie } });
      assert.equal(refused.status, 403);
      const out = await ui.request("/admin/signout", { auth: null, form: { csrf }, headers: { cookie } });
      assert.equal(out.status, 303);
      assert.match(out.headers.get("set-cookie")!, /Max-Age=0/);
      const after = await ui.request("/admin/", { auth: null, headers: { cookie } });
      assert.equal(after.status, 303);
    });
    await t.step("sessions expire", async () => {
      const res = await ui.request("/admin/signin", { auth: null, form: { token: ADMIN } });
      const c = res.headers.get("set-cookie")!.split(";")[0]!;
      ui.clock.advance(13 * 3_600_000);
      assert.equal((await ui.request("/admin/", { auth: null, headers: { cookie: c } })).status, 303);
    });
  } finally {
    await ui.close();
  }
});

Deno.test("safeNext() keeps sign-in redirects inside /admin/", () => {
  assert.equal(safeNext("/admin/usage?by=day"), "/admin/usage?by=day");
  for (const bad of [null, "//evil.example/admin/", "https://evil.example", "/admin\\..", "/manage/keys"]) {
    assert.equal(safeNext(bad), "/admin/");
  }
});

Deno.test("admin UI Basic auth: /admin/basic challenges, then redirects", async () => {
  const ui = await adminUi();
  try {
    const challenge = await ui.request("/admin/basic", { auth: null });
    assert.equal(challenge.status, 401);
    assert.match(challenge.headers.get("www-authenticate")!, /^Basic realm="azmw admin"/);
    const ok = await ui.request("/admin/basic", { auth: READER });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get("location"), "/admin/");
  } finally {
    await ui.close();
  }
});

Deno.test("admin UI pages render for admin and reader; unknown pages 404, wrong methods 405", async () => {
  const ui = await adminUi({ spend: { global: 2.5, "project:demo": 0.9 } });
  try {
    await ui.post("/admin/projects", { name: "demo", description: "Demo", daily_cost_eur: "1" });
    ui.calls.add(callRecord({ model: "<img src=x>" }));
    ui.calls.add(
      callRecord({
        id: "rec-2",
        status: 500,
        error: { type: "server_error", code: "upstream_error", message: "" },
      }),
    );
    for (const auth of [ADMIN, READER]) {
      for (
        const path of [
          "/admin/",
          "/admin/projects",
          "/admin/projects/demo",
          "/admin/usage",
          "/admin/calls",
          "/admin/audit",
        ]
      ) {
        const res = await ui.request(path, { auth });
        assert.equal(res.status, 200, `${path} as ${auth}`);
        assert.equal(res.headers.get("content-security-policy"), CSP);
        assert.equal(res.headers.get("cache-control"), "no-store");
        assert.ok(!res.text.includes("<img src=x>"), path);
      }
    }
    const overview = await ui.request("/admin/");
    assert.ok(overview.text.includes("€2.50"));
    assert.ok(overview.text.includes("project &quot;demo&quot;"));
    assert.ok(overview.text.includes("&lt;img src=x&gt;"));
    assert.ok(overview.text.includes("half-open") || overview.text.includes(">open<"));
    assert.ok(overview.text.includes("no &lt;key&gt;"));
    assert.equal((await ui.request("/admin/nope")).status, 404);
    assert.equal((await ui.request("/admin/projects/%E0%A4%A")).status, 404);
    assert.equal((await ui.request("/admin/keys")).status, 405);
    assert.equal((await ui.request("/admin/projects/ghost")).status, 404);
  } finally {
    await ui.close();
  }
});

Deno.test("admin UI writes need the CSRF token and the UI's own origin; the reader cannot write", async (t) => {
  const ui = await adminUi();
  try {
    const csrf = await ui.csrfOf();
    await t.step("no token: 403", async () => {
      const res = await ui.request("/admin/projects", { form: { name: "a" } });
      assert.equal(res.status, 403);
      assert.ok(res.text.includes("security token"));
    });
    await t.step("a token in the header works like the field", async () => {
      const res = await ui.request("/admin/projects", {
        form: { name: "via-header" },
        headers: { "x-csrf-token": csrf },
      });
      assert.equal(res.status, 303);
    });
    await t.step("another origin or a cross-site fetch: 403", async () => {
      const other = await ui.request("/admin/projects", {
        form: { name: "b", csrf },
        headers: { origin: "https://evil.example" },
      });
      assert.equal(other.status, 403);
      const site = await ui.request("/admin/projects", {
        form: { name: "b", csrf },
        headers: { "sec-fetch-site": "cross-site" },
      });
      assert.equal(site.status, 403);
    });
    await t.step("the reader's token is its own and cannot write", async () => {
      const readerCsrf = await ui.csrfOf(READER);
      assert.notEqual(readerCsrf, csrf);
      const wrong = await ui.request("/admin/projects", { auth: READER, form: { name: "c", csrf } });
      assert.equal(wrong.status, 403);
      const res = await ui.request("/admin/projects", {
        auth: READER,
        form: { name: "c", csrf: readerCsrf },
      });
      assert.equal(res.status, 403);
      assert.ok(res.text.includes("The reader token cannot make changes"));
      const page = await ui.request("/admin/projects", { auth: READER });
      assert.ok(!page.text.includes("Create project"));
    });
    await t.step("an oversized form: 413", async () => {
      const res = await ui.request("/admin/projects", { form: { name: "x".repeat(70_000), csrf } });
      assert.equal(res.status, 413);
    });
    assert.equal((await ui.store.listProjects({ limit: 10 })).items.map((p) => p.name).join(), "via-header");
  } finally {
    await ui.close();
  }
});

Deno.test("admin UI manages projects, keys and tokens through the management handlers, audited as ui:admin", async (t) => {
  const ui = await adminUi();
  try {
    await t.step("create a project; a bad name is refused with the API's message, escaped", async () => {
      const bad = await ui.post("/admin/projects", { name: "<b>Bad</b>" });
      assert.equal(bad.status, 400);
      assert.ok(bad.text.includes("Invalid &quot;name&quot;"));
      assert.ok(!bad.text.includes("<b>Bad</b>"));
      const res = await ui.post("/admin/projects", {
        name: "team",
        description: "<script>x</script>",
        daily_cost_eur: "2.5",
      });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/admin/projects/team");
      const page = await ui.request("/admin/projects/team");
      assert.ok(page.text.includes("&lt;script&gt;x&lt;/script&gt;"));
      assert.equal((await ui.post("/admin/projects", { name: "team" })).status, 409);
    });
    await t.step("edit the policy; a bad value names its field", async () => {
      const bad = await ui.post("/admin/projects/team", { rpm: "lots" });
      assert.equal(bad.status, 400);
      assert.ok(bad.text.includes("policy.rpm"));
      const res = await ui.post("/admin/projects/team", {
        description: "Team",
        models: "gpt-4o*, gpt-4.1",
        operations: ["chat", "embeddings"],
        max_tokens: "1000",
        rpm: "60",
        tpm: "",
        daily_cost_eur: "3",
      });
      assert.equal(res.status, 303);
      const p = (await ui.store.getProject("team"))!;
      assert.deepEqual(p.policy, {
        models: ["gpt-4o*", "gpt-4.1"],
        operations: ["chat", "embeddings"],
        maxTokens: 1000,
        rpm: 60,
        dailyCostEur: 3,
      });
    });
    await t.step("disable and enable", async () => {
      assert.equal((await ui.post("/admin/projects/team/disable")).status, 303);
      assert.equal((await ui.store.getProject("team"))!.disabled, true);
      assert.ok((await ui.request("/admin/projects/team")).text.includes("Enable project"));
      assert.equal((await ui.post("/admin/projects/team/enable")).status, 303);
      assert.equal((await ui.store.getProject("team"))!.disabled, false);
    });
    let keyId = "";
    await t.step("create a key: its secret is shown once", async () => {
      const res = await ui.post("/admin/keys", { project: "team", name: "ci", expires_in: "90d" });
      assert.equal(res.status, 201);
      const secret = /id="secret" type="text" readonly value="([^"]+)"/.exec(res.text)![1]!;
      assert.match(secret, /^azmw_/);
      assert.ok(res.text.includes('data-copy="secret"'));
      keyId = /New API key (key_[0-9a-f]+)/.exec(res.text)![1]!;
      assert.ok(!(await ui.request("/admin/projects/team")).text.includes(secret));
      assert.equal((await ui.post("/admin/keys", { project: "team", expires_in: "soon" })).status, 400);
      assert.equal((await ui.post("/admin/keys", { project: "ghost" })).status, 404);
    });
    await t.step("rotate a key with a grace period, then revoke", async () => {
      const res = await ui.post(`/admin/keys/${keyId}/rotate`, { grace: "1h" });
      assert.equal(res.status, 201);
      assert.ok(res.text.includes(`The old key ${keyId} keeps working until 2030-01-01T01:00:00.000Z`));
      assert.equal((await ui.post(`/admin/keys/${keyId}/rotate`)).status, 409);
      const revoked = await ui.post(`/admin/keys/${keyId}/revoke`);
      assert.equal(revoked.status, 303);
      assert.equal(revoked.headers.get("location"), "/admin/projects/team");
      assert.notEqual((await ui.store.getKey(keyId))!.disabledAt, null);
      assert.equal((await ui.post("/admin/keys/key_ghost/revoke")).status, 404);
    });
    await t.step("create and revoke a token", async () => {
      const res = await ui.post("/admin/tokens", {
        project: "team",
        name: "nb",
        ttl: "2h",
        max_requests: "10",
      });
      assert.equal(res.status, 201);
      const id = /New token (tok_[0-9a-f]+)/.exec(res.text)![1]!;
      const t0 = (await ui.store.getToken(id))!;
      assert.equal(t0.maxRequests, 10);
      assert.equal(t0.expiresAt, ui.clock.now() + 7_200_000);
      assert.ok((await ui.request("/admin/projects/team")).text.includes("0 / 10"));
      assert.equal((await ui.post(`/admin/tokens/${id}/revoke`)).status, 303);
      assert.notEqual((await ui.store.getToken(id))!.revokedAt, null);
      assert.equal((await ui.post("/admin/tokens", { project: "team", ttl: "99d" })).status, 400);
    });
    await t.step("every change is in the audit trail with actor ui:admin, filterable", async () => {
      const audit = await ui.store.listAudit({ limit: 100 });
      assert.ok(audit.items.length >= 7);
      assert.ok(audit.items.every((e) => e.actor.id === "ui:admin" && e.actor.role === "admin"));
      const page = await ui.request("/admin/audit?actor=ui:admin&action=key");
      const rows = /<tbody>([\s\S]*)<\/tbody>/.exec(page.text)![1]!;
      assert.ok(rows.includes("key.rotate"));
      assert.ok(!rows.includes("token.create"));
      const none = await ui.request("/admin/audit?actor=cli:someone");
      assert.ok(none.text.includes("No entries match"));
      const byProject = await ui.request("/admin/audit?project=team&action=project.update");
      assert.ok(byProject.text.includes("policy"));
    });
  } finally {
    await ui.close();
  }
});

Deno.test("admin UI reports an unexpected failure as a 500 page without details", async () => {
  const ui = await adminUi({ failWith: new Error("secret detail") });
  try {
    const res = await ui.request("/admin/projects");
    assert.equal(res.status, 500);
    assert.ok(!res.text.includes("secret detail"));
    assert.equal(ui.errors.length, 1);
  } finally {
    await ui.close();
  }
});

Deno.test("admin UI key page: details for everyone, name and policy editor and enable for the admin", async () => {
  const ui = await adminUi();
  try {
    await ui.post("/admin/projects", { name: "team" });
    const created = await ui.post("/admin/keys", { project: "team", name: "ci" });
    const id = /New API key (key_[0-9a-f]+)/.exec(created.text)![1]!;
    const project = await ui.request("/admin/projects/team");
    assert.ok(project.text.includes(`<a href="/admin/keys/${id}">`));
    const reader = await ui.request(`/admin/keys/${id}`, { auth: READER });
    assert.equal(reader.status, 200);
    assert.ok(reader.text.includes("no limits"));
    assert.ok(!reader.text.includes("Save key"));
    const bad = await ui.post(`/admin/keys/${id}`, { name: "ci", max_tokens: "0" });
    assert.equal(bad.status, 400);
    assert.ok(bad.text.includes("policy.max_tokens"));
    const saved = await ui.post(`/admin/keys/${id}`, {
      name: "ci-2",
      models: "gpt-4o",
      daily_cost_eur: "1.5",
    });
    assert.equal(saved.status, 303);
    const key = (await ui.store.getKey(id))!;
    assert.equal(key.name, "ci-2");
    assert.deepEqual(key.policy, { models: ["gpt-4o"], dailyCostEur: 1.5 });
    await ui.post(`/admin/keys/${id}/revoke`);
    assert.ok((await ui.request(`/admin/keys/${id}`)).text.includes("Enable key"));
    assert.equal((await ui.post(`/admin/keys/${id}/enable`)).status, 303);
    assert.equal((await ui.store.getKey(id))!.disabledAt, null);
    assert.equal((await ui.request("/admin/keys/key_ghost")).status, 404);
    assert.equal((await ui.post("/admin/keys/key_ghost/enable")).status, 404);
  } finally {
    await ui.close();
  }
});
