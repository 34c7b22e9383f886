/**
 * The embedded default's sealing key: generated in the data dir on first start (mode 0600) so a new user
 * gets encrypted logs without any setup, and found there again by `azmw logs decrypt`.
 */
import { embeddedLogKeyPath } from "../config/load.ts";
import { generateKeyText } from "./keyring.ts";

/** Creates `<dataDir>/log_key` (0600) unless it exists; `ref` is the `file:` reference to it. */
export async function ensureEmbeddedLogKey(
  dataDir: string,
): Promise<{ ref: string; path: string; created: boolean }> {
  const path = embeddedLogKeyPath(dataDir);
  const ref = `file:${path}`;
  try {
    if ((await Deno.readTextFile(path)).trim() !== "") return { ref, path, created: false };
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
  try {
    await Deno.writeTextFile(path, `${generateKeyText()}\n`, { mode: 0o600, createNew: true });
  } catch (err) {
    // Another process created it first, or an empty file was left: keep a non-empty one, else replace it.
    if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    if ((await Deno.readTextFile(path)).trim() !== "") return { ref, path, created: false };
    await Deno.writeTextFile(path, `${generateKeyText()}\n`, { mode: 0o600 });
  }
  await Deno.chmod(path, 0o600).catch(() => {});
  return { ref, path, created: true };
}
