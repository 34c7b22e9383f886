/**
 * `azmw serve` in this process on a config whose store is PostgreSQL (a mock upstream, a config key without
 * a project, sealed bodies): what the PostgreSQL end-to-end tests start as "a replica".
 */
import { serveCommand } from "../../src/cli/serve.ts";

/** The config key every replica accepts (no project: it works without the store). */
export const FIXED_KEY = "azmw_fixed_config_key_0123456789";

/** A running replica. */
export interface Replica {
  url: string;
  /** Calls chat completions with `key`. */
  // deno-lint-ignore no-explicit-any
  call(key: string): Promise<{ status: number; body: any }>;
  // deno-lint-ignore no-explicit-any
  health(): Promise<any>;
  /** Stops it (SIGTERM) and returns its exit code and standard error. */
  stop(): Promise<{ code: number; err: string }>;
}

/** Starts a replica named `instance` under `dir` with `env` (AZMW_DATABASE_URL, UP_KEY …). */
export async function startReplica(
  options: { dir: string; instance: string; mockUrl: string; env: Record<string, string> },
): Promise<Replica> {
  const { dir, instance } = options;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/azmw.yaml`,
    `server: {host: 127.0.0.1, data_dir: ${dir}/state, instance: ${instance}}
auth:
  keys: [{id: fixed, key: env:FIXED_KEY}]
upstreams:
  - name: mock
    kind: azure
    endpoint: ${options.mockUrl}
    auth: {type: api_key, key: env:UP_KEY}
    deployments: [gpt-4o-mini]
manage: {store: env:AZMW_DATABASE_URL, token: env:T_MANAGE}
logs: {dir: ${dir}/logs, bodies: true, keys: [{key: env:AZMW_LOG_KEY}], flush_interval_ms: 10}
`,
  );
  const env: Record<string, string> = {
    FIXED_KEY,
    T_MANAGE: "manage-secret",
    AZMW_LOG_KEY: btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))),
    ...options.env,
  };
  const listening = Promise.withResolvers<string>();
  const stop = new AbortController();
  let out = "";
  let err = "";
  const running = serveCommand.run({
    config: `${dir}/azmw.yaml`,
    host: undefined,
    port: 0,
    dataDir: undefined,
    detach: false,
    logFile: undefined,
  }, {
    stdout: (t) => {
      out += t;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) listening.resolve(url);
    },
    stderr: (t) => void (err += t),
    env: (n) => env[n],
    signal: stop.signal,
  });
  running.then(() => listening.reject(new Error(`serve ended early: ${err}`)), (e) => listening.reject(e));
  const url = await listening.promise;
  return {
    url,
    call: (key) =>
      fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
      }).then(async (r) => ({ status: r.status, body: await r.json() })),
    health: async () => await (await fetch(`${url}/health`)).json(),
    async stop() {
      stop.abort();
      return { code: await running, err };
    },
  };
}
