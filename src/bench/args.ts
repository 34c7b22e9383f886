/**
 * `azmw bench` command-line parsing (pure): a load run against a URL, or the `--overhead` benchmark.
 * Bad values throw `UsageError`.
 */
import { parseArgs as parseNodeArgs } from "node:util";
import { intOption, UsageError } from "../core/command.ts";
import { BENCH_DIALECTS, type BenchDialect } from "./request.ts";

/** The lanes of the overhead benchmark. */
export type OverheadLane = "latency" | "throughput" | "frontier" | "stream" | "soak" | "memory";

/** Every lane, in the order they run. */
export const OVERHEAD_LANES: readonly OverheadLane[] = [
  "latency",
  "throughput",
  "frontier",
  "stream",
  "soak",
  "memory",
];

/** Options shared by both modes. */
export interface CommonBenchArgs {
  dialect: BenchDialect;
  model: string;
  deployment?: string;
  apiVersion?: string;
  /** File whose JSON is sent instead of the default body. */
  bodyFile?: string;
  /** Extra request headers from `--header "Name: value"`. */
  headers: Record<string, string>;
  json: boolean;
  /** Where to write the HTML report. */
  htmlFile?: string;
}

/** `azmw bench --url … --key …`: load against one server. */
export interface LoadArgs extends CommonBenchArgs {
  mode: "load";
  url: string;
  /** The key, or `env:NAME` to read it from the environment at run time. */
  key: string;
  concurrency: number;
  requests?: number;
  durationMs?: number;
  stream: boolean;
  warmup: number;
}

/** `azmw bench --overhead`: direct-to-mock against through-the-gateway. */
export interface OverheadArgs extends CommonBenchArgs {
  mode: "overhead";
  lanes: OverheadLane[];
  quick: boolean;
  /** Gateway config template (see the help for its placeholders). */
  gatewayConfig?: string;
  /** Alternating direct/gateway rounds per measurement (default 3, quick 2). */
  rounds?: number;
  /** Exit 0 even when a target fails (`--no-fail`, for exploratory runs). */
  noFail: boolean;
}

/** `azmw bench --relay-upstream URL` (internal): the bare relay `--overhead` starts as a reference. */
export interface RelayArgs {
  mode: "relay";
  upstream: string;
}

/** Parsed `azmw bench` arguments. */
export type BenchArgs = LoadArgs | OverheadArgs | RelayArgs;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a duration like `30s`, `500ms`, `2m`, `1h` or `10` (seconds) into milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNITS[m[2] ?? "s"]! : NaN;
  if (!(ms > 0) || ms > 86_400_000) {
    throw new UsageError(
      `Option "--duration" expects a positive duration up to 24h such as "30s", "500ms" or "2m", got "${text}"`,
    );
  }
  return Math.round(ms);
}

function parseHeaders(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of values) {
    const colon = raw.indexOf(":");
    const name = colon > 0 ? raw.slice(0, colon).trim().toLowerCase() : "";
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) {
      throw new UsageError(`Option "--header" expects "Name: value", got "${raw}"`);
    }
    out[name] = raw.slice(colon + 1).trim();
  }
  return out;
}

function parseLanes(text: string): OverheadLane[] {
  const lanes = text.split(",").map((s) => s.trim()).filter(Boolean);
  for (const lane of lanes) {
    if (!OVERHEAD_LANES.includes(lane as OverheadLane)) {
      throw new UsageError(`Option "--lanes" expects a list of ${OVERHEAD_LANES.join(", ")}; got "${lane}"`);
    }
  }
  if (lanes.length === 0) throw new UsageError(`Option "--lanes" expects at least one lane, got "${text}"`);
  return OVERHEAD_LANES.filter((l) => lanes.includes(l));
}

function nonEmpty(name: string, value: string | undefined): string | undefined {
  if (value === "") throw new UsageError(`Option "--${name}" expects a value, got ""`);
  return value;
}

const OPTIONS = {
  url: { type: "string" },
  key: { type: "string", short: "k" },
  concurrency: { type: "string", short: "c" },
  requests: { type: "string", short: "n" },
  duration: { type: "string", short: "d" },
  stream: { type: "boolean" },
  model: { type: "string", short: "m" },
  body: { type: "string" },
  dialect: { type: "string" },
  deployment: { type: "string" },
  "api-version": { type: "string" },
  header: { type: "string", short: "H", multiple: true },
  json: { type: "boolean" },
  html: { type: "string" },
  warmup: { type: "string" },
  overhead: { type: "boolean" },
  lanes: { type: "string" },
  quick: { type: "boolean" },
  "gateway-config": { type: "string" },
  rounds: { type: "string" },
  "no-fail": { type: "boolean" },
  "relay-upstream": { type: "string" },
} as const;

const LOAD_ONLY = ["url", "key", "concurrency", "requests", "duration", "stream", "warmup"] as const;
const OVERHEAD_ONLY = ["lanes", "quick", "gateway-config", "rounds", "no-fail"] as const;

/** Parses `azmw bench` arguments; throws `UsageError` on anything invalid. */
export function parseBenchArgs(argv: string[]): BenchArgs {
  let values;
  try {
    ({ values } = parseNodeArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const relayUpstream = values["relay-upstream"];
  if (relayUpstream !== undefined) {
    const other = Object.keys(values).find((name) => name !== "relay-upstream");
    if (other !== undefined) {
      throw new UsageError(`Option "--${other}" does not apply with "--relay-upstream"`);
    }
    if (!/^https?:\/\/\S+$/.test(relayUpstream)) {
      throw new UsageError(`Option "--relay-upstream" expects an http(s) URL, got "${relayUpstream}"`);
    }
    return { mode: "relay", upstream: relayUpstream };
  }
  const dialect = values.dialect ?? "azure";
  if (!BENCH_DIALECTS.includes(dialect as BenchDialect)) {
    throw new UsageError(`Option "--dialect" expects "azure", "openai" or "anthropic", got "${dialect}"`);
  }
  for (const name of ["deployment", "api-version"] as const) {
    if (values[name] !== undefined && dialect !== "azure") {
      throw new UsageError(`Option "--${name}" applies to "--dialect azure" only`);
    }
  }
  const deployment = nonEmpty("deployment", values.deployment);
  const apiVersion = nonEmpty("api-version", values["api-version"]);
  const bodyFile = nonEmpty("body", values.body);
  const htmlFile = nonEmpty("html", values.html);
  const common: CommonBenchArgs = {
    dialect: dialect as BenchDialect,
    model: nonEmpty("model", values.model) ?? "gpt-4o-mini",
    headers: parseHeaders(values.header ?? []),
    json: values.json === true,
    ...(deployment !== undefined && { deployment }),
    ...(apiVersion !== undefined && { apiVersion }),
    ...(bodyFile !== undefined && { bodyFile }),
    ...(htmlFile !== undefined && { htmlFile }),
  };

  if (values.overhead === true) {
    const wrong = LOAD_ONLY.find((name) => values[name] !== undefined);
    if (wrong) throw new UsageError(`Option "--${wrong}" does not apply with "--overhead"`);
    const gatewayConfig = nonEmpty("gateway-config", values["gateway-config"]);
    const rounds = intOption("rounds", values.rounds, 1, 100);
    return {
      ...common,
      mode: "overhead",
      lanes: values.lanes === undefined ? [...OVERHEAD_LANES] : parseLanes(values.lanes),
      quick: values.quick === true,
      noFail: values["no-fail"] === true,
      ...(gatewayConfig !== undefined && { gatewayConfig }),
      ...(rounds !== undefined && { rounds }),
    };
  }

  const wrong = OVERHEAD_ONLY.find((name) => values[name] !== undefined);
  if (wrong) throw new UsageError(`Option "--${wrong}" applies to "--overhead" only`);
  if (values.url === undefined) throw new UsageError(`Option "--url" is required (or use "--overhead")`);
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    throw new UsageError(`Option "--url" expects an http(s) URL, got "${values.url}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`Option "--url" expects an http(s) URL, got "${values.url}"`);
  }
  const key = nonEmpty("key", values.key);
  if (key === undefined) throw new UsageError(`Option "--key" is required`);
  if (values.requests !== undefined && values.duration !== undefined) {
    throw new UsageError(`Options "--requests" and "--duration" exclude each other`);
  }
  const requests = intOption("requests", values.requests, 1, 1_000_000_000);
  const durationMs = values.duration === undefined
    ? (requests === undefined ? 30_000 : undefined)
    : parseDuration(values.duration);
  return {
    ...common,
    mode: "load",
    url: values.url,
    key,
    concurrency: intOption("concurrency", values.concurrency, 1, 10_000) ?? 10,
    ...(requests !== undefined && { requests }),
    ...(durationMs !== undefined && { durationMs }),
    stream: values.stream === true,
    warmup: intOption("warmup", values.warmup, 0, 1_000_000) ?? 20,
  };
}
