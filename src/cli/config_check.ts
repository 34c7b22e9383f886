/**
 * `azmw config check`: validates a configuration file and lists every problem with its key path; with
 * `--resolve-secrets` it also resolves each secret reference (values are never printed).
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.ts";
import type { Issue } from "../config/schema_helpers.ts";
import { unresolvedSecrets } from "../config/secrets.ts";
import { createKeyVault } from "../server/key_vault.ts";
import type { Config } from "../config/types.ts";
import { ConfigError } from "../server/errors.ts";
import { type Command, UsageError, usageError } from "./command.ts";

/** Parsed arguments of `azmw config check`. */
export interface ConfigCheckArgs {
  config: string;
  json: boolean;
  resolveSecrets: boolean;
}

const HELP = `Validate a configuration file and report every problem at once.

Usage: azmw config check [options]

Checks YAML syntax, every key and value (unknown keys included), unique upstream, deployment and model
names, and that secrets are references (env:NAME, file:/path or kv://vault/secret), never literals. Each
problem is listed with its key path, what was expected and what was found; secret values are never printed.

Options:
  -c, --config <path>   Configuration file to check (default: config.yaml)
      --json            Print {"valid": true|false, "issues": [{"path", "message"}]} instead of text
      --resolve-secrets Also check that every secret reference resolves (variable set, file readable,
                        Key Vault secret readable with the secrets.key_vault credential)
  -h, --help            Show this help

Example:
  $ azmw config check -c prod.yaml
  prod.yaml: invalid (2 problems)
    - server.port: expected an integer from 1 to 65535, got "abc"
    - upstreams[0].auth.key: expected a secret reference "env:NAME", "file:/path" or "kv://<vault>/<secret>" (literal secrets are not allowed), got a literal value

  $ azmw config check
  config.yaml: OK (1 upstream, 2 deployments, 1 caller key)

Exit codes:
  0  the configuration is valid
  1  the configuration is invalid, or (with --resolve-secrets) a secret reference does not resolve
  2  bad command line
`;

/** The `config check` subcommand. */
export const configCheckCommand: Command<ConfigCheckArgs> = {
  name: "config check",
  summary: "Validate a configuration file and list every problem with its key path",
  help: HELP,

  parseArgs(argv) {
    try {
      const { values } = parseArgs({
        args: argv,
        options: {
          config: { type: "string", short: "c", default: "config.yaml" },
          json: { type: "boolean", default: false },
          "resolve-secrets": { type: "boolean", default: false },
          help: { type: "boolean", short: "h", default: false },
        },
        strict: true,
        allowPositionals: false,
      });
      if (values.config === "") throw new UsageError('Option "--config" needs a file path');
      return { config: values.config, json: values.json, resolveSecrets: values["resolve-secrets"] };
    } catch (err) {
      throw usageError(err);
    }
  },

  async run(args, io) {
    let config: Config | undefined;
    let issues: Issue[] = [];
    try {
      config = await loadConfig(args.config);
      if (args.resolveSecrets) {
        issues = await unresolvedSecrets(config, {
          env: io.env,
          external: createKeyVault(config, { env: io.env }),
        });
      }
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues = err.issues;
    }
    if (args.json) {
      io.stdout(JSON.stringify({ valid: issues.length === 0, issues }, null, 2) + "\n");
    } else if (config !== undefined && issues.length === 0) {
      io.stdout(`${args.config}: OK (${summary(config)})\n`);
    } else {
      const lines = issues.map((i) => `  - ${i.path || "(root)"}: ${i.message}\n`);
      io.stdout(`${args.config}: invalid (${count(issues.length, "problem")})\n${lines.join("")}`);
    }
    return issues.length === 0 ? 0 : 1;
  },
};

function summary(config: Config): string {
  const deployments = config.upstreams.reduce((n, u) => n + u.deployments.length, 0);
  return [
    count(config.upstreams.length, "upstream"),
    count(deployments, "deployment"),
    count(config.auth.keys.length, "caller key"),
  ].join(", ");
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
