/**
 * `azmw cost price <model> [--deployment D]`: which price a call would get — the table entry that
 * matches (deployment name, then the deployment's model from the config, then the model), where the
 * entry comes from and when it was checked, and the EUR prices per 1M tokens of every token kind.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.ts";
import type { Config } from "../config/types.ts";
import { priceSource, PRIORITY_SOURCE, USD_TO_EUR } from "../cost/prices.ts";
import { familyOf, type Price, PriceTable, type TierPrice } from "../cost/pricing.ts";
import { type Command, UsageError, usageError } from "./command.ts";

/** Parsed arguments of `azmw cost price`. */
export interface CostPriceArgs {
  model: string;
  deployment: string | undefined;
  config: string | undefined;
}

const HELP = `Show the price a call of a model would be billed at.

Usage: azmw cost price <model> [--deployment NAME] [-c FILE]

Looks the call up the way the gateway prices it: the deployment name, then the model that deployment
runs (from the config), then <model> (the model the upstream reports); for each name an exact entry,
then the most specific glob, then its family (a dated snapshot such as gpt-5.4-2026-03-05 is priced as
gpt-5.4). Prints the entry that matched, its source and date, and EUR per 1M tokens of every kind.

Options:
      --deployment NAME  The deployment that serves the call
  -c, --config FILE      Config file: its pricing and deployments (default: $AZMW_CONFIG; without one:
                         the shipped prices)
  -h, --help             Show this help

Examples:
  azmw cost price gpt-5.4-2026-03-05
  azmw cost price gpt-4o --deployment chat-prod -c config.yaml

Exit codes:
  0  the price was shown (also the fallback price, with a warning)
  1  the config cannot be read
  2  bad command line
`;

/** Parses `azmw cost price` arguments (pure). */
export function parseCostPriceArgs(argv: string[]): CostPriceArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        deployment: { type: "string" },
        config: { type: "string", short: "c" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw usageError(err);
  }
  const [model, ...extra] = parsed.positionals;
  if (model === undefined || model === "") throw new UsageError("Missing the model name");
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}"`);
  for (const name of ["config", "deployment"] as const) {
    if (parsed.values[name] === "") throw new UsageError(`Option "--${name}" needs a value`);
  }
  return { model, deployment: parsed.values.deployment, config: parsed.values.config };
}

function modelOfDeployment(config: Config | null, deployment: string | undefined): string | undefined {
  if (config === null || deployment === undefined) return undefined;
  for (const u of config.upstreams) {
    const d = u.deployments.find((x) => x.name === deployment);
    if (d !== undefined) return d.model;
  }
  return undefined;
}

function kinds(p: Price | TierPrice, reasoning: number | null): string {
  return [
    `input ${p.input}`,
    `cached input ${p.cachedInput}`,
    `output ${p.output}`,
    `reasoning ${reasoning ?? "as output"}`,
    `cache writes ${p.cacheWrite} (5 min) / ${p.cacheWrite1h} (1 h)`,
  ].join(", ");
}

/** The text `azmw cost price` prints for these names. */
export function describePrice(
  names: { model: string; deployment?: string | undefined; deploymentModel?: string | undefined },
  options: { prices: PriceTable; configured: ReadonlySet<string> },
): string {
  const order = [names.deployment, names.deploymentModel, names.model];
  const { price, key } = options.prices.lookup(order, { quiet: true });
  const who = names.deployment === undefined
    ? `Model "${names.model}"`
    : `Model "${names.model}" on deployment "${names.deployment}"` +
      (names.deploymentModel ? ` (runs "${names.deploymentModel}")` : "");
  const lines: string[] = [];
  if (key === null) {
    lines.push(
      `${who}: no entry matches; billed at the fallback price (the highest known price, so never ` +
        `understated). Add it under pricing.models`,
    );
  } else {
    const matched = order.find((n) => n === key) ??
      order.find((n) => n !== undefined && familyOf(n) === key && n !== key);
    const how = matched === key ? "exact entry" : matched !== undefined ? `family of "${matched}"` : "glob";
    lines.push(`${who}: priced by the entry "${key}" (${how})`);
    const src = priceSource(key);
    lines.push(
      options.configured.has(key)
        ? "Source: the config (pricing.models)"
        : src === null
        ? "Source: unknown"
        : `Source: ${src.source}, checked ${src.checked}; USD converted at 1 USD = ${USD_TO_EUR} EUR`,
    );
  }
  lines.push(`EUR per 1M tokens: ${kinds(price, price.reasoning)}`);
  for (const [tier, p] of Object.entries(price.tiers ?? {})) {
    lines.push(
      `service_tier "${tier}"${tier === "priority" ? ` (${PRIORITY_SOURCE})` : ""}: ${kinds(p, null)}`,
    );
  }
  if (price.long !== null) {
    lines.push(
      `Prompts over ${price.long.above} tokens (every token of the call): ${
        kinds(price.long, price.reasoning)
      }`,
    );
  }
  return lines.join("\n") + "\n";
}

/** The `cost price` subcommand. */
export const costPriceCommand: Command<CostPriceArgs> = {
  name: "cost price",
  summary: "Show which price a call of a model (on a deployment) is billed at, and its source",
  help: HELP,
  parseArgs: parseCostPriceArgs,
  async run(args, io) {
    const configPath = args.config ?? (io.env("AZMW_CONFIG") || undefined);
    const config = configPath ? await loadConfig(configPath) : null;
    const prices = new PriceTable(config?.pricing);
    const configured = new Set(Object.keys(config?.pricing?.models ?? {}));
    io.stdout(describePrice({
      model: args.model,
      deployment: args.deployment,
      deploymentModel: modelOfDeployment(config, args.deployment),
    }, { prices, configured }));
    return 0;
  },
};
