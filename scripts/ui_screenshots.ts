/**
 * Screenshots of every admin UI page at 1280×800 in Debian's chromium, over a gateway with a month of
 * sample request logs and some live calls. Usage:
 *   deno run -A scripts/ui_screenshots.ts [OUT_DIR]   (default docs/screenshots; writes admin-*.png)
 */
import { addDays, DayClock } from "../src/logs/day.ts";
import { ADMIN_TOKEN, startAdminGateway } from "../tests/_helpers/admin_ui.ts";
import { launchChromium } from "../tests/_helpers/browser.ts";
import { scriptArgs } from "./_args.ts";

const out = scriptArgs({ allowPositionals: true, options: {} }).positionals[0] ?? "docs/screenshots";
await Deno.mkdir(out, { recursive: true });
const logs = await Deno.makeTempDir({ prefix: "azmw-shots-logs-" });

// A month of sample traffic (metadata only) for the charts and the Usage page.
const today = new DayClock("UTC").dayOf(Date.now());
const projects = ["search", "support-bot", "research"];
const models = ["gpt-4o", "gpt-4o-mini", "text-embedding-3-small"];
let seq = 0;
for (let back = 29; back >= 1; back--) {
  const day = addDays(today, -back);
  const lines: string[] = [];
  const n = 20 + Math.round(15 * Math.sin(back / 3) + back % 7 * 3);
  for (let i = 0; i < n; i++) {
    const project = projects[(i + back) % 3]!;
    const model = models[i % 3]!;
    const prompt = 200 + (i * 37) % 900;
    const completion = model.startsWith("text-") ? 0 : 50 + (i * 13) % 400;
    const price = model === "gpt-4o" ? [2.3, 9.2] : model === "gpt-4o-mini" ? [0.14, 0.55] : [0.02, 0];
    const cost = (prompt * price[0]! + completion * price[1]!) / 1e6;
    const ts = `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}T${
      String(8 + i % 10).padStart(2, "0")
    }:00:00.000Z`;
    lines.push(JSON.stringify({
      v: 1,
      id: `seed-${seq++}`,
      ts,
      instance: "seed",
      caller: { key_id: `key_${project}`, project, token_id: null },
      dialect: "openai",
      operation: model.startsWith("text-") ? "embeddings" : "chat",
      model,
      upstream: "azure-test",
      deployment: model,
      status: 200,
      stream: false,
      attempts: 1,
      latency_ms: 300 + (i * 53) % 1200,
      ttfb_ms: 200,
      usage: {
        prompt_tokens: prompt,
        completion_tokens: completion,
        cached_tokens: 0,
        reasoning_tokens: 0,
        total_tokens: prompt + completion,
      },
      usage_source: "upstream",
      cost_eur: cost,
      error: null,
      request: null,
      response: null,
    }));
  }
  await Deno.mkdir(`${logs}/${day}`, { recursive: true });
  await Deno.writeTextFile(`${logs}/${day}/requests-seed.jsonl`, lines.join("\n") + "\n");
}

const gw = await startAdminGateway({ logsDir: logs });
const chromium = await launchChromium();
try {
  const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on("dialog", (d) => void d.accept());
  const shot = (name: string) => page.screenshot({ path: `${out}/admin-${name}.png` });

  await page.goto(`${gw.url}/admin/signin`);
  await shot("signin");
  await page.getByLabel("Management token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();

  const secrets: string[] = [];
  const keyIds: string[] = [];
  for (const [name, cap] of [["search", "3"], ["support-bot", "0.01"], ["research", ""]] as const) {
    await page.goto(`${gw.url}/admin/projects`);
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Description").fill(`The ${name} team`);
    await page.getByLabel("Daily cost cap (EUR)").fill(cap);
    await page.getByRole("button", { name: "Create project" }).click();
    await page.getByLabel("Key name").fill("production");
    await page.getByRole("button", { name: "Create key" }).click();
    secrets.push(await page.getByLabel(/^Secret of key_/).inputValue());
    keyIds.push((await page.locator("label[for=secret]").textContent())!.replace("Secret of ", ""));
    if (name === "research") await shot("secret");
  }
  await page.goto(`${gw.url}/admin/projects/search`);
  await page.getByLabel("Token name").fill("notebook");
  await page.getByRole("button", { name: "Create token" }).click();

  for (let i = 0; i < 24; i++) await gw.chat(secrets[i % 3]!, i % 4 === 0 ? "gpt-4o-latest" : "gpt-4o");
  await gw.chat(secrets[0]!, "no-such-model");
  await gw.chat("azmw_wrong_key", "gpt-4o");

  for (
    const [name, path] of [
      ["overview", "/admin/"],
      ["projects", "/admin/projects"],
      ["project", "/admin/projects/search"],
      ["key", `/admin/keys/${keyIds[0]}`],
      ["usage", "/admin/usage?by=project"],
      ["calls", "/admin/calls"],
      ["audit", "/admin/audit"],
    ]
  ) {
    await page.goto(`${gw.url}${path}`);
    await shot(name!);
  }
  if (gw.errors.length > 0) console.error("Admin UI errors:", gw.errors);
  console.log(`Screenshots written to ${out}/admin-*.png`);
} finally {
  await chromium.close();
  await gw.close();
  await Deno.remove(logs, { recursive: true });
}
