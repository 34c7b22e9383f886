/**
 * Options shared by `azmw projects|keys|tokens …`: where the store is (local `--data-dir` / `--config`, or
 * a running gateway's management API with `--url` and `--token`), `--json`, and the policy options.
 */
import { parseArgs } from "node:util";
import { UsageError } from "./command.ts";

/** Options every management command has; `--url`/`--token` fall back to the environment at run time. */
export interface CommonArgs {
  dataDir?: string;
  config?: string;
  url?: string;
  token?: string;
  json: boolean;
}

type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;

const COMMON: OptionSpec = {
  "data-dir": { type: "string" },
  config: { type: "string", short: "c" },
  url: { type: "string" },
  token: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** Policy options (create and update of projects, keys and tokens). */
export const POLICY_OPTIONS: OptionSpec = {
  models: { type: "string" },
  operations: { type: "string" },
  "max-tokens": { type: "string" },
  "max-body-bytes": { type: "string" },
  rpm: { type: "string" },
  tpm: { type: "string" },
  "daily-cost-eur": { type: "string" },
};

/** Help lines of the common options. */
export const COMMON_HELP = `Where (default: the local store in ./.azmw, or the one $AZMW_CONFIG names):
      --data-dir DIR       Use the store in DIR (DIR/azmw.db)
  -c, --config FILE        Use the store FILE names (manage.store, else server.data_dir/azmw.db)
      --url URL            Use the management API of a running gateway (env AZMW_MANAGE_URL)
      --token TOKEN        Management token for --url (env AZMW_MANAGE_TOKEN)
      --json               Print JSON (for scripts) instead of tables
  -h, --help               Show this help`;

/** Help lines of the policy options. */
export const POLICY_HELP = `Policy:
      --models GLOBS       Allowed models, comma-separated globs ("gpt-4o*,text-embedding-*")
      --operations LIST    Allowed operations: chat, completions, embeddings, responses, messages
      --max-tokens N       Largest max_tokens / max_completion_tokens / max_output_tokens
      --max-body-bytes N   Largest request body in bytes
      --rpm N              Requests per minute
      --tpm N              Tokens per minute
      --daily-cost-eur X   Daily cost cap in EUR`;

/** Parsed argv of one management command. */
export interface Parsed {
  common: CommonArgs;
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** Parses argv with the common options plus `extra` and checks the number of positionals. */
export function parseManageArgv(
  argv: string[],
  extra: OptionSpec,
  positionals: { min: number; max: number; names: string },
): Parsed {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...COMMON, ...extra },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw usageError(err);
  }
  const { values, positionals: rest } = parsed;
  if (rest.length < positionals.min) throw new UsageError(`Missing ${positionals.names}`);
  if (rest.length > positionals.max) throw new UsageError(`Unexpected argument "${rest[positionals.max]}"`);
  const common: CommonArgs = { json: values.json === true };
  for (
    const [option, field] of [["data-dir", "dataDir"], ["config", "config"], ["url", "url"], [
      "token",
      "token",
    ]] as const
  ) {
    const v = values[option];
    if (v === "") throw new UsageError(`Option "--${option}" needs a value`);
    if (typeof v === "string") common[field] = v;
  }
  if (common.url !== undefined && (common.dataDir !== undefined || common.config !== undefined)) {
    throw new UsageError('Use either "--url" or "--data-dir"/"--config", not both');
  }
  return { common, values, positionals: rest };
}

/** The policy fields given as options (snake_case, as the API takes them). */
export function policyFromValues(values: Parsed["values"]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const list = (name: string) =>
    typeof values[name] === "string"
      ? (values[name] as string).split(",").map((s) => s.trim()).filter(Boolean)
      : undefined;
  const models = list("models");
  if (models) out.models = models;
  const operations = list("operations");
  if (operations) out.operations = operations;
  for (
    const [option, field] of [["max-tokens", "max_tokens"], ["max-body-bytes", "max_body_bytes"], [
      "rpm",
      "rpm",
    ], [
      "tpm",
      "tpm",
    ]] as const
  ) {
    const n = wholeNumber(option, values[option]);
    if (n !== undefined) out[field] = n;
  }
  const cost = values["daily-cost-eur"];
  if (typeof cost === "string") {
    const n = Number(cost);
    if (!/^\d+(\.\d+)?$/.test(cost) || !Number.isFinite(n)) {
      throw new UsageError(`Option "--daily-cost-eur" expects an amount such as 25 or 12.50, got "${cost}"`);
    }
    out.daily_cost_eur = n;
  }
  return out;
}

/** Reads a whole-number option (at least 1). */
export function wholeNumber(name: string, value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`Option "--${name}" expects a whole number of at least 1, got "${value}"`);
  }
  return Number(value);
}

/** Turns `node:util` parse errors into `UsageError`s with std-style messages. */
export function usageError(err: unknown): unknown {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS")) return err;
  const message = (err as Error).message;
  const quoted = /'([^']+)'/.exec(message)?.[1];
  const option = /--[a-z-]+/.exec(message)?.[0];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return new UsageError(`Unknown option "${quoted}"`);
  if (/argument missing/.test(message)) return new UsageError(`Option "${option}" needs a value`);
  if (/does not take an argument/.test(message)) return new UsageError(`Option "${option}" takes no value`);
  return new UsageError(message);
}

/** Options of every `list` command. */
export const LIST_OPTIONS = {
  project: { type: "string" },
  limit: { type: "string" },
  cursor: { type: "string" },
} as const;

/** The query string of a `list` command: always paged (`limit` 20 unless given), so it gets the envelope. */
export function listQuery(values: Parsed["values"]): string {
  const q = new URLSearchParams();
  for (const name of ["project", "limit", "cursor"]) {
    if (typeof values[name] === "string") q.set(name, values[name] as string);
  }
  if (!q.has("limit")) q.set("limit", "20");
  const text = q.toString();
  return text === "" ? "" : `?${text}`;
}
