import assert from "node:assert/strict";
import { hasChromium, launchChromium, skipBrowser } from "../../_helpers/browser.ts";

Deno.test("browser tests fail in CI without chromium, naming the fix; elsewhere they are skipped", async () => {
  assert.equal(skipBrowser(false, undefined), true);
  assert.equal(skipBrowser(false, "true"), false);
  assert.equal(skipBrowser(true, undefined), false);
  assert.equal(hasChromium("/nonexistent/chromium"), false);
  await assert.rejects(
    () => launchChromium("/nonexistent/chromium"),
    /need \/nonexistent\/chromium: run "apt-get install -y chromium"/,
  );
});
