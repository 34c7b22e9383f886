/**
 * Debian's chromium driven by playwright-core, for the admin UI's browser tests. Without
 * `/usr/bin/chromium` the tests fail in CI (env `CI` set) with how to install it, and are skipped with a
 * message elsewhere.
 */
import { type Browser, chromium } from "playwright-core";

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether the browser is installed. */
export function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

/** Whether browser tests are skipped: only outside CI, and only without chromium. */
export const SKIP_BROWSER = !hasChromium() && !Deno.env.get("CI");
if (SKIP_BROWSER) {
  console.warn(`Skipping the admin UI browser tests: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}

/**
 * Launches headless chromium. playwright gives every launch a fresh `--user-data-dir` of its own (in a
 * temp dir it removes on close) and refuses one passed in `args`.
 */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  if (!hasChromium()) {
    throw new Error(`The admin UI browser tests need ${CHROMIUM}: run "apt-get install -y chromium"`);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--disable-quic",
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}
