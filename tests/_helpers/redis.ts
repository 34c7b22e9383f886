/** Real-Redis helpers: a key prefix of its own per test (deleted at the end) and a TCP proxy to cut. */
import { Redis } from "ioredis";
import { openShared, type SharedClient, type SharedOptions } from "../../src/counters/client.ts";

/** The Redis every test uses (never another port). */
export const REDIS_URL = "redis://127.0.0.1:6379/0";

/** A fresh `azmw-test:<uuid>:` prefix. */
export function testPrefix(): string {
  return `azmw-test:${crypto.randomUUID()}:`;
}

/** Deletes every key under `prefix`. */
export async function dropPrefix(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL, { lazyConnect: true });
  await r.connect();
  let cursor = "0";
  do {
    const [next, keys] = await r.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await r.del(...keys);
  } while (cursor !== "0");
  r.disconnect();
}

/** Opens a shared client on `prefix` and waits until it is connected. */
export async function sharedClient(
  prefix: string,
  options: Partial<SharedOptions> = {},
): Promise<SharedClient> {
  const client = await openShared({ url: REDIS_URL, prefix, mode: "closed", ...options });
  await client.whenReady();
  return client;
}

/** A TCP proxy in front of Redis that a test can stop (every connection cut) and start again. */
export class TcpProxy {
  #listener: Deno.Listener | null = null;
  #accepting: Promise<void> = Promise.resolve();
  #conns = new Set<Deno.Conn>();
  #port = 0;
  readonly #target: number;

  /** Creates a proxy to `127.0.0.1:<target>`. */
  constructor(target = 6379) {
    this.#target = target;
  }

  /** The proxy's URL (a Redis URL once started). */
  get url(): string {
    return `redis://127.0.0.1:${this.#port}/0`;
  }

  /** Starts listening (on the same port as before after a stop). */
  start(): void {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: this.#port });
    this.#port = (listener.addr as Deno.NetAddr).port;
    this.#listener = listener;
    this.#accepting = this.#accept(listener);
  }

  async #accept(listener: Deno.Listener): Promise<void> {
    try {
      for await (const conn of listener) {
        const up = await Deno.connect({ hostname: "127.0.0.1", port: this.#target }).catch(() => null);
        if (up === null) {
          conn.close();
          continue;
        }
        this.#conns.add(conn);
        this.#conns.add(up);
        const done = () => {
          for (const c of [conn, up]) if (this.#conns.delete(c)) closeQuietly(c);
        };
        conn.readable.pipeTo(up.writable).catch(() => {}).finally(done);
        up.readable.pipeTo(conn.writable).catch(() => {}).finally(done);
      }
    } catch {
      // closed by stop()
    }
  }

  /** Stops listening and cuts every open connection; resolves once the port is free again. */
  async stop(): Promise<void> {
    this.#listener?.close();
    this.#listener = null;
    for (const c of this.#conns) closeQuietly(c);
    this.#conns.clear();
    await this.#accepting;
  }
}

function closeQuietly(c: Deno.Conn): void {
  try {
    c.close();
  } catch {
    // already closed by the pipe that ended
  }
}
