/**
 * Several real `azmw serve` processes on port 0 sharing one store (a SQLite file, or PostgreSQL), one log
 * folder and one Redis key prefix, in front of one mock upstream: a small multi-replica deployment for tests
 * and benchmarks.
 */
import { serveMock } from "../../src/mock/mod.ts";
import { MAIN } from "./cli.ts";
import { REDIS_URL } from "./redis.ts";

/** The management token every replica accepts. */
export const MANAGE_TOKEN = "manage-token-for-replica-tests-0123456789";
const MOCK_KEY = "mock-upstream-key-0123456789";

/** One running replica. */
export interface Replica {
  url: string;
  /** Its output so far (application log included). */
  output(): string;
  /** SIGTERM, then waits for the exit; resolves to the exit code. */
  stop(): Promise<number>;
}

/** Options of `startReplicas()`. */
export interface ReplicaOptions {
  /** Replicas to start; default 3. */
  count?: number;
  /** Redis key prefix; no `shared` section when absent. */
  prefix?: string;
  /** More top-level YAML (indented as at the top level). */
  extraYaml?: string;
  /** `shared.on_unavailable`; default closed. */
  onUnavailable?: "closed" | "open";
  /** Redis URL; default the test server. */
  redisUrl?: string;
  /** `shared.timeout_ms`; default 2000 (generous: test machines are busy). */
  timeoutMs?: number;
  /** A PostgreSQL URL for `manage.store`; default a SQLite file in the temp dir. */
  storeUrl?: string;
}

/** Starts `count` replicas and the mock; `close()` stops them all and removes the temp dir. */
export async function startReplicas(options: ReplicaOptions = {}) {
  const dir = await Deno.makeTempDir({ prefix: "azmw-replicas-" });
  const mock = serveMock({ apiKey: MOCK_KEY });
  const replicas: Replica[] = [];
  try {
    for (let i = 1; i <= (options.count ?? 3); i++) {
      const config = `${dir}/r${i}.yaml`;
      await Deno.writeTextFile(config, yaml(i, dir, mock.url, options));
      replicas.push(
        await spawn(config, `${dir}/data-r${i}`, {
          AZMW_REDIS_URL: options.redisUrl ?? REDIS_URL,
          ...(options.storeUrl ? { AZMW_DATABASE_URL: options.storeUrl } : {}),
        }),
      );
    }
  } catch (err) {
    await Promise.all(replicas.map((r) => r.stop()));
    await mock.shutdown();
    throw err;
  }
  return {
    dir,
    replicas,
    mock,
    /** Calls `path` on a replica with the management token. */
    async manage(replica: Replica, method: string, path: string, body?: unknown) {
      const res = await fetch(`${replica.url}/manage/${path}`, {
        method,
        headers: { authorization: `Bearer ${MANAGE_TOKEN}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = await res.json();
      if (!res.ok) throw new Error(`${method} /manage/${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    },
    async close() {
      await Promise.all(replicas.map((r) => r.stop()));
      await mock.shutdown();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** One chat call with `key`; resolves to the status and the parsed body. */
export async function chat(replica: Replica, key: string, maxTokens = 10) {
  const res = await fetch(`${replica.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-mock-chunks": "1" },
    body: JSON.stringify({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Hi" }],
      max_tokens: maxTokens,
    }),
  });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

function yaml(i: number, dir: string, mockUrl: string, options: ReplicaOptions): string {
  const shared = options.prefix === undefined ? "" : `shared:
  redis: env:AZMW_REDIS_URL
  prefix: "${options.prefix}"
  on_unavailable: ${options.onUnavailable ?? "closed"}
  timeout_ms: ${options.timeoutMs ?? 2000}
`;
  return `server:
  host: 127.0.0.1
  instance: r${i}
  shutdown_grace_ms: 2000
auth:
  required: true
  keys: []
manage:
  token: env:AZMW_MANAGE_TOKEN
  store: ${options.storeUrl ? "env:AZMW_DATABASE_URL" : `${dir}/azmw.db`}
logs:
  dir: ${dir}/logs
  bodies: false
pricing:
  defaults: false
  models:
    gpt-4o-mini: { input: 1000, output: 1000 }
  fallback: { input: 1000, output: 1000 }
upstreams:
  - name: mock
    kind: azure
    endpoint: ${mockUrl}
    auth: { type: api_key, key: env:MOCK_KEY }
    deployments: [gpt-4o-mini]
${shared}${options.extraYaml ?? ""}`;
}

async function spawn(config: string, dataDir: string, env: Record<string, string>): Promise<Replica> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "serve", "-c", config, "--data-dir", dataDir, "--port", "0"],
    env: { NO_COLOR: "1", AZMW_MANAGE_TOKEN: MANAGE_TOKEN, MOCK_KEY, ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const listening = Promise.withResolvers<string>();
  const read = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const m = text.match(/listening on (http:\/\/\S+)/);
      if (m) listening.resolve(m[1]!);
    }
  };
  const drained = Promise.all([read(child.stdout), read(child.stderr)]);
  const exited = child.status.then(async (s) => {
    await drained;
    listening.reject(new Error(`azmw serve exited with ${s.code} before listening:\n${text}`));
    return s.code;
  });
  const url = await listening.promise;
  let stopped: Promise<number> | null = null;
  return {
    url,
    output: () => text,
    stop() {
      stopped ??= (async () => {
        try {
          child.kill("SIGTERM");
        } catch {
          // already gone
        }
        return await exited;
      })();
      return stopped;
    },
  };
}
