/**
 * The admin UI in a real browser (Debian chromium via playwright-core): sign-in by form and by Basic
 * auth, the reader's read-only UI, a project and key created in the UI that then works (and after
 * revoking, does not), spend on the overview, the live call list, CSRF refusal, the CSP, no console errors.
 */
import assert from "node:assert/strict";
import type { BrowserContext, Page } from "playwright-core";
import { CSP } from "../../../src/admin/ui/http.ts";
import { ADMIN_TOKEN, READER_TOKEN, startAdminGateway } from "../../_helpers/admin_ui.ts";
import { launchChromium, SKIP_BROWSER } from "../../_helpers/browser.ts";

const VIEWPORT = { width: 1280, height: 800 };

/**
 * Collects console errors and page errors of every page of a context. Chromium also logs every 4xx
 * document as "Failed to load resource"; those of the refusals a step provokes on purpose (a wrong token
 * 401, an invalid policy 400, the CSRF refusal 403) are not faults of the page and are left out.
 */
function watchErrors(context: BrowserContext): string[] {
  const errors: string[] = [];
  const expected = /^Failed to load resource: the server responded with a status of (400|401|403) /;
  const watch = (page: Page) => {
    page.on("console", (m) => {
      if (m.type() === "error" && !expected.test(m.text())) errors.push(`${page.url()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
    page.on("dialog", (d) => void d.accept());
  };
  context.on("page", watch);
  return errors;
}

/** A link of the main navigation. */
function nav(page: Page, name: string) {
  return page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });
}

Deno.test({
  name: "admin UI in chromium: sign in, manage a project and key, see spend, calls and audit",
  ignore: SKIP_BROWSER,
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  const gw = await startAdminGateway();
  const chromium = await launchChromium();
  try {
    const admin = await chromium.browser.newContext({ viewport: VIEWPORT });
    const errors = watchErrors(admin);
    admin.setDefaultTimeout(10_000);
    const page = await admin.newPage();
    let secret = "";
    let keyId = "";

    await t.step("the sign-in form refuses a wrong token and sets a strict session cookie", async () => {
      const first = await page.goto(`${gw.url}/admin/`);
      assert.equal(new URL(page.url()).pathname, "/admin/signin");
      assert.equal(first?.headers()["content-security-policy"], CSP);
      await page.getByLabel("Management token").fill("not-the-token");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("alert").filter({ hasText: "Invalid token" }).waitFor();
      await page.getByLabel("Management token").fill(ADMIN_TOKEN);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Overview" }).waitFor();
      const cookie = (await admin.cookies()).find((c) => c.name === "azmw_admin");
      assert.ok(cookie);
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, "Strict");
      assert.equal(cookie.path, "/admin");
    });

    await t.step(
      "a project and a key created in the UI; the key works against /v1/chat/completions",
      async () => {
        await nav(page, "Projects").click();
        await page.getByLabel("Name").fill("team-a");
        await page.getByLabel("Description").fill("Search <b>team</b>");
        await page.getByLabel("Daily cost cap (EUR)").fill("2");
        await page.getByRole("button", { name: "Create project" }).click();
        await page.getByRole("heading", { name: "Project team-a" }).waitFor();
        // Escaped, not markup.
        assert.equal(await page.getByLabel("Description").inputValue(), "Search <b>team</b>");
        await page.getByLabel("Key name").fill("ci");
        await page.getByRole("button", { name: "Create key" }).click();
        const field = page.getByLabel(/^Secret of key_/);
        secret = await field.inputValue();
        keyId = (await page.locator("label[for=secret]").textContent())!.replace("Secret of ", "");
        assert.match(secret, /^azmw_/);
        await admin.grantPermissions(["clipboard-read", "clipboard-write"], { origin: gw.url });
        await page.getByRole("button", { name: "Copy" }).click();
        await page.getByRole("button", { name: "Copied" }).waitFor();
        assert.equal(await page.evaluate("navigator.clipboard.readText()"), secret);
        assert.equal(await gw.chat(secret), 200);
        // Shown once: the project page lists the key by prefix only.
        await page.getByRole("link", { name: "Back to project team-a" }).click();
        assert.equal((await page.content()).includes(secret), false);
        assert.ok((await page.content()).includes(keyId));
      },
    );

    await t.step("the policy editor saves a policy the API validated", async () => {
      await page.getByLabel("Requests per minute").fill("many");
      await page.getByRole("button", { name: "Save policy" }).click();
      await page.getByRole("alert").filter({ hasText: 'Invalid "policy.rpm"' }).waitFor();
      await page.getByLabel("Requests per minute").fill("600");
      await page.getByRole("checkbox", { name: "chat" }).check();
      await page.getByRole("button", { name: "Save policy" }).click();
      await page.getByRole("heading", { name: "Project team-a" }).waitFor();
      assert.equal(await page.getByLabel("Requests per minute").inputValue(), "600");
      assert.equal(await gw.chat(secret), 200);
    });

    await t.step("spend appears on the overview after calls", async () => {
      const before = gw.cost.spendToday("project:team-a");
      assert.ok(before > 0);
      await nav(page, "Overview").click();
      const spend = gw.cost.spendToday();
      const card = page.locator(".card").filter({ hasText: "Spend today" });
      const text = await card.locator(".value").textContent();
      assert.equal(text, spend >= 1 ? `€${spend.toFixed(2)}` : `€${spend.toFixed(4)}`);
      assert.notEqual(text, "€0.00");
      const caps = page.getByRole("table", { name: "Today's spend against caps" });
      assert.ok((await caps.textContent())!.includes('project "team-a"'));
      const perProject = page.getByRole("table", { name: "Today per project" });
      assert.ok((await perProject.textContent())!.includes("team-a"));
    });

    await t.step("the call list updates itself as calls finish", async () => {
      await nav(page, "Calls").click();
      const rows = page.locator("#calls-body tr");
      const n = await rows.count();
      assert.equal(await gw.chat(secret), 200);
      await rows.nth(n).waitFor(); // the page's own script fetched and rendered the new call
      assert.ok((await page.locator("#calls-body").textContent())!.includes(keyId));
    });

    await t.step("a write without the CSRF token is refused with 403", async () => {
      const status = await page.evaluate(async () => {
        const res = await fetch("/admin/projects", {
          method: "POST",
          body: new URLSearchParams({ name: "evil" }),
        });
        return res.status;
      });
      assert.equal(status, 403);
      await page.goto(`${gw.url}/admin/projects`);
      assert.equal((await page.content()).includes("evil"), false);
    });

    await t.step("revoking the key in the UI refuses it at once; the audit shows who did it", async () => {
      await page.goto(`${gw.url}/admin/projects/team-a`);
      await page.getByRole("button", { name: `Revoke key ${keyId}` }).click();
      await page.getByRole("heading", { name: "Project team-a" }).waitFor();
      assert.equal(await gw.chat(secret), 401);
      await nav(page, "Audit").click();
      await page.getByLabel("Actor").fill("ui:admin");
      await page.getByLabel("Action").fill("key.disable");
      await page.getByRole("button", { name: "Filter" }).click();
      const audit = await page.getByRole("table", { name: "Audit trail" }).textContent();
      assert.ok(audit!.includes("key.disable"));
      assert.ok(audit!.includes("ui:admin"));
      assert.ok(audit!.includes(keyId));
    });

    await t.step("usage page and CSV export", async () => {
      await nav(page, "Usage").click();
      await page.getByRole("heading", { name: "Usage" }).waitFor();
      const csv = await page.evaluate(async () => (await fetch("/admin/usage.csv?by=model")).text());
      assert.match(csv, /^model,requests,/);
    });

    await t.step("signing out ends the session", async () => {
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByLabel("Management token").waitFor();
      await page.goto(`${gw.url}/admin/projects`);
      assert.equal(new URL(page.url()).pathname, "/admin/signin");
    });

    await t.step("no console errors on any page (the CSP blocked nothing)", () => {
      assert.deepEqual(errors, []);
    });
    await admin.close();

    await t.step("HTTP Basic auth with the reader token gives a read-only UI", async () => {
      const reader = await chromium.browser.newContext({
        viewport: VIEWPORT,
        httpCredentials: { username: "reader", password: READER_TOKEN },
      });
      reader.setDefaultTimeout(10_000);
      const readerErrors = watchErrors(reader);
      const p = await reader.newPage();
      // /admin/basic asks for Basic credentials; the browser then sends them with every page under /admin/.
      await p.goto(`${gw.url}/admin/basic`);
      await p.getByRole("heading", { name: "Overview" }).waitFor();
      await p.goto(`${gw.url}/admin/projects`);
      await p.getByRole("heading", { name: "Projects" }).waitFor();
      assert.ok((await p.content()).includes("read only"));
      assert.equal(await p.getByRole("button", { name: "Create project" }).count(), 0);
      await p.getByRole("link", { name: "team-a" }).click();
      await p.getByRole("heading", { name: "Project team-a" }).waitFor();
      assert.equal(await p.getByRole("button").count(), 0);
      // Even with its CSRF token, the reader's write is refused by the server.
      const token = await p.locator("meta[name=csrf-token]").getAttribute("content");
      assert.ok(token);
      const refused = await p.evaluate(async (csrf) => {
        const res = await fetch("/admin/projects", {
          method: "POST",
          headers: { "x-csrf-token": csrf },
          body: new URLSearchParams({ name: "sneaky" }),
        });
        return { status: res.status, text: await res.text() };
      }, token);
      assert.equal(refused.status, 403);
      assert.ok(refused.text.includes("The reader token cannot make changes"));
      await p.goto(`${gw.url}/admin/projects`);
      assert.equal((await p.content()).includes("sneaky"), false);
      assert.deepEqual(readerErrors, []);
      await reader.close();
    });

    await t.step("the browser's Basic-auth dialog signs in the admin", async () => {
      const basic = await chromium.browser.newContext({
        viewport: VIEWPORT,
        httpCredentials: { username: "admin", password: ADMIN_TOKEN },
      });
      basic.setDefaultTimeout(10_000);
      const p = await basic.newPage();
      await p.goto(`${gw.url}/admin/basic`);
      await p.getByRole("heading", { name: "Overview" }).waitFor();
      assert.ok((await p.content()).includes("HTTP Basic auth"));
      await basic.close();
    });
    assert.deepEqual(gw.errors, []);
  } finally {
    await chromium.close();
    await gw.close();
  }
});
