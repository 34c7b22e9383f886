/** The embedded default's admin token: generated on first start, kept in `<data dir>/admin_token` (0600). */

/** Where the embedded default keeps its admin token. */
export function adminTokenPath(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, "")}/admin_token`;
}

/** Reads the admin token of `dataDir`, creating it (mode 0600) when missing or empty. */
export async function ensureAdminToken(
  dataDir: string,
  random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n)),
): Promise<{ path: string; token: string; created: boolean }> {
  const path = adminTokenPath(dataDir);
  try {
    const token = (await Deno.readTextFile(path)).trim();
    if (token) return { path, token, created: false };
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const token = `azmw_admin_${Buffer.from(random(32)).toString("base64url")}`;
  await Deno.writeTextFile(path, `${token}\n`, { mode: 0o600 });
  return { path, token, created: true };
}
