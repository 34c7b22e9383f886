/**
 * Debian's chromium driven by playwright-core, for the admin UI's browser tests. Without
 * `/usr/bin/chromium` the tests fail in CI (env `CI` set) with how to install it, and are skipped with a
 * message elsewhere.
 */
import { type Browser, chromium } from "playwright-core";

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether the browser is installed. */
export function hasChromium(path = CHROMIUM): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** Whether browser tests are skipped: only without chromium, and never in CI (env `CI` set). */
export function skipBrowser(installed: boolean, ci: string | undefined): boolean {
  return !installed && !ci;
}

/** Whether this run skips the browser tests. */
export const SKIP_BROWSER = skipBrowser(hasChromium(), Deno.env.get("CI"));
if (SKIP_BROWSER) {
  console.warn(`Skipping the admin UI browser tests: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}

/**
 * Launches headless chromium. playwright gives every launch a fresh `--user-data-dir` of its own (in a
 * temp dir it removes on close) and refuses one passed in `args`.
 */
export async function launchChromium(path = CHROMIUM): Promise<{ browser: Browser; close(): Promise<void> }> {
  if (!hasChromium(path)) {
    throw new Error(`The admin UI browser tests need ${path}: run "apt-get install -y chromium"`);
  }
  const browser = await chromium.launch({
    executablePath: path,
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
