/**
 * The request log as the gateway uses it: `openRequestLog(config)` resolves the sealing keys, refuses to
 * start when bodies would be logged without a key, deletes expired days, and starts the background
 * writer on its own thread; its `sink` is the synchronous, non-blocking consumer the pipeline hands each
 * finished call to.
 */
import { resolveSecret, secretRefs } from "../config/secrets.ts";
import type { Config } from "../config/types.ts";
import type { CallSink } from "../core/record.ts";
import { ConfigError } from "../core/errors.ts";
import { keysToData, retentionRun } from "./writer_parts.ts";
import { loadConfiguredKeys } from "./key_config.ts";
import { LogThread } from "./log_thread.ts";
import { inlineLogWorker } from "./log_inline.ts";
import { needsGlobalKey } from "./policy.ts";

/** A running request log. */
export interface RequestLog {
  /** Queues a finished call (and, through `sink.started`, a streamed call's start); synchronous and cheap. */
  sink: CallSink;
  /** Writes every queued record and closes the files. */
  close(): Promise<void>;
  /** Counters: waiting, written and dropped records, bytes written. */
  stats(): { queued: number; written: number; dropped: number; bytes: number };
  /**
   * Resolves the sealing keys and the secrets redaction removes again (a rotated Key Vault secret); records
   * queued from now on use them. Keys that no longer resolve leave the current ones in place (it throws).
   */
  rekey(): Promise<void>;
}

/** I/O of `openRequestLog()`; tests pass fakes. */
export interface RequestLogDeps {
  env?: (n: string) => string | undefined;
  readTextFile?: (p: string) => Promise<string>;
  /** Clock of the retention run at start (the log thread keeps its own). */
  now?: () => number;
  warn?: (msg: string) => void;
}

function defaultWarn(msg: string): void {
  console.error(JSON.stringify({ level: "warn", msg }));
}

/** Every secret the config references (caller and upstream keys), resolved where possible. */
async function knownSecrets(config: Config, deps: Required<Pick<RequestLogDeps, "env" | "readTextFile">>) {
  const secrets: string[] = [];
  for (const { ref } of secretRefs(config)) {
    try {
      secrets.push(await resolveSecret(ref, deps));
    } catch {
      // An unresolvable secret cannot be used by the gateway either; start-up reports it elsewhere.
    }
  }
  return secrets;
}

/**
 * Opens the request log of `config`; throws `ConfigError` when bodies are on and no key resolves. The
 * writer runs on its own thread (`LogThread`).
 */
export async function openRequestLog(config: Config, deps: RequestLogDeps = {}): Promise<RequestLog> {
  const io = {
    env: deps.env ?? ((n: string) => Deno.env.get(n)),
    readTextFile: deps.readTextFile ?? ((p: string) => Deno.readTextFile(p)),
  };
  const now = deps.now ?? Date.now;
  const warn = deps.warn ?? defaultWarn;
  const logs = config.logs;
  const keys = await loadConfiguredKeys(config, io);
  const missing = needsGlobalKey(config, keys);
  if (missing.length > 0) {
    throw new ConfigError([{
      path: "logs.keys",
      message: `required while request bodies are logged (${missing.join(", ")}): add a sealing key ` +
        `such as one printed by "azmw logs keygen", or set logs.bodies to false to log metadata only`,
    }], config.source);
  }
  const secrets = await knownSecrets(config, io);
  await Deno.mkdir(logs.dir, { recursive: true, mode: 0o700 });
  // Expired days go before the gateway starts; the log thread runs retention from the next day on.
  const expire = retentionRun(config, now, warn);
  await expire();
  const thread = new LogThread({
    config,
    keys: keysToData(keys),
    secrets,
    retainedFor: expire.doneFor(),
    warn,
    ...(logs.thread ? {} : { spawn: inlineLogWorker }),
  });
  try {
    // The gateway does not start with a request log that cannot write.
    await thread.ready;
  } catch (err) {
    await thread.close();
    throw new Error(`Cannot start the request log thread: ${(err as Error).message}`);
  }
  const sink: CallSink = Object.assign(thread.sink, { started: thread.started });
  return {
    sink,
    close: () => thread.close(),
    stats: () => thread.stats(),
    async rekey() {
      const next = await loadConfiguredKeys(config, io);
      thread.rekey(keysToData(next), await knownSecrets(config, io));
    },
  };
}
