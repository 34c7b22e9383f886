/**
 * Where `azmw logs` commands read from: the log folder, the time zone of its days and the keys that open
 * its bodies, taken from `--config` (or `AZMW_CONFIG`), `--key-file` and `--data-dir` (the embedded
 * default's `<data-dir>/log_key`, `./.azmw` when nothing else is given).
 */
import { embeddedLogKeyPath, loadConfig } from "../config/load.ts";
import { DEFAULTS, logsDirOf } from "../config/schema.ts";
import { loadConfiguredKeys, openingKeyring } from "../logs/key_config.ts";
import { decodeKeyText, importLogKey, type Keyring, type LogKey } from "../logs/keyring.ts";
import { type CliIo, UsageError } from "./command.ts";

/** Options shared by the `logs` subcommands, for `node:util` `parseArgs`. */
export const SOURCE_OPTIONS = {
  config: { type: "string", short: "c" },
  "key-file": { type: "string", multiple: true },
  "data-dir": { type: "string" },
  dir: { type: "string" },
  instance: { type: "string" },
} as const;

/** The shared options as parsed. */
export interface SourceArgs {
  config: string | undefined;
  keyFiles: string[];
  dataDir: string | undefined;
  dir: string | undefined;
  instance: string | undefined;
}

/** Help lines of the shared options. */
export const SOURCE_HELP =
  `  -c, --config FILE     Config file: its logs.dir, time zone and sealing keys (default: $AZMW_CONFIG)
      --key-file FILE   A key file (32 bytes in base64) that opens bodies; repeatable
      --data-dir DIR    Also use DIR/log_key, the embedded default's key (default without
                        --config and --key-file: ./.azmw)
      --dir DIR         Log folder (default: logs.dir of the config, else <data-dir>/logs, ./.azmw/logs)
      --instance NAME   Only this instance's files`;

/** Reads the shared options out of parsed values. */
export function sourceArgs(values: {
  config?: string | undefined;
  "key-file"?: string[] | undefined;
  "data-dir"?: string | undefined;
  dir?: string | undefined;
  instance?: string | undefined;
}): SourceArgs {
  for (const name of ["config", "data-dir", "dir", "instance"] as const) {
    if (values[name] === "") throw new UsageError(`Option "--${name}" needs a value`);
  }
  if (values.instance !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(values.instance)) {
    throw new UsageError(`Option "--instance" expects letters, digits, _ or -, got "${values.instance}"`);
  }
  return {
    config: values.config,
    keyFiles: values["key-file"] ?? [],
    dataDir: values["data-dir"],
    dir: values.dir,
    instance: values.instance,
  };
}

/** What a logs command reads. */
export interface LogSource {
  dir: string;
  timezone: string;
  keyring: Keyring;
  /** Where keys were looked for, for a message when none was found. */
  lookedIn: string[];
}

/** Resolves the log folder and (unless `keys` is false) the keys; unusable keys are reported and skipped. */
export async function openSource(
  args: SourceArgs,
  io: CliIo,
  options: { keys?: boolean } = {},
): Promise<LogSource> {
  const wantKeys = options.keys ?? true;
  const warn = (m: string) => io.stderr(`Warning: ${m}\n`);
  const configPath = args.config ?? (io.env("AZMW_CONFIG") || undefined);
  const lookedIn: string[] = [];
  let dir = args.dataDir === undefined ? DEFAULTS.logs.dir as string : logsDirOf(args.dataDir);
  let timezone = DEFAULTS.timezone as string;
  const extra: LogKey[] = [];
  let configured = { global: [] as LogKey[], projects: new Map<string, LogKey[]>() };
  if (configPath) {
    const config = await loadConfig(configPath);
    dir = config.logs.dir;
    timezone = config.server.timezone;
    if (wantKeys) configured = await loadConfiguredKeys(config, { env: io.env, tolerant: true, warn });
    lookedIn.push(`the keys of ${configPath}`);
  }
  if (!wantKeys) return { dir: args.dir ?? dir, timezone, keyring: openingKeyring(configured), lookedIn };
  for (const file of args.keyFiles) extra.push(await readKeyFile(file));
  lookedIn.push(...args.keyFiles.map((f) => `"${f}"`));
  const dataDir = args.dataDir ?? (configPath || args.keyFiles.length > 0 ? undefined : DEFAULTS.dataDir);
  if (dataDir !== undefined) {
    const path = embeddedLogKeyPath(dataDir);
    lookedIn.push(`"${path}"`);
    try {
      extra.push(await readKeyFile(path));
    } catch (err) {
      if (args.dataDir !== undefined || !(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  return { dir: args.dir ?? dir, timezone, keyring: openingKeyring(configured, extra), lookedIn };
}

async function readKeyFile(path: string): Promise<LogKey> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`Key file "${path}" does not exist`);
    }
    throw new Error(`Cannot read key file "${path}": ${(err as Error).message}`);
  }
  try {
    return await importLogKey(decodeKeyText(text));
  } catch (err) {
    throw new Error(`Key file "${path}" is not a log key: ${(err as Error).message}`);
  }
}
