/** A local fake of the Key Vault secrets REST API and of an Entra credential, for tests. */

/** A fake vault: `secrets` maps name → current value (and versions); `down` answers 503. */
export function fakeVault() {
  const state = {
    secrets: new Map<string, string>(),
    versions: new Map<string, string>(),
    down: false,
    requests: 0,
    authorization: [] as string[],
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    state.requests++;
    state.authorization.push(req.headers.get("authorization") ?? "");
    const url = new URL(req.url);
    if (state.down) return Response.json({ error: { code: "ServiceUnavailable" } }, { status: 503 });
    if (url.searchParams.get("api-version") !== "7.4") {
      return Response.json({ error: { code: "BadParameter" } }, { status: 400 });
    }
    if (req.headers.get("authorization") !== "Bearer kv-token") {
      return Response.json({ error: { code: "Unauthorized" } }, { status: 401 });
    }
    const m = /^\/([^/]+)\/secrets\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
    const value = m?.[3] ? state.versions.get(`${m[2]}/${m[3]}`) : state.secrets.get(m?.[2] ?? "");
    if (!m || value === undefined) {
      return Response.json({ error: { code: "SecretNotFound", message: "not found" } }, { status: 404 });
    }
    return Response.json({
      value,
      id: `https://${m[1]}.vault.azure.net/secrets/${m[2]}/abc`,
      attributes: {},
    });
  });
  return { state, url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

/** A fake credential handing out `kv-token`, counting calls. */
export function fakeCredential() {
  const c = {
    calls: 0,
    getToken() {
      c.calls++;
      return Promise.resolve({ token: "kv-token", expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  };
  return c;
}
