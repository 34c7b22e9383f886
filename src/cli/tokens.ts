/**
 * `azmw tokens create|list|show|revoke`: withering tokens (`azmw_t_…`) — short-lived, scoped to a
 * project, optionally limited in requests and rate — on the local store or through a running gateway.
 */
import { type Command, UsageError } from "./command.ts";
import {
  COMMON_HELP,
  type CommonArgs,
  LIST_OPTIONS,
  listQuery,
  parseManageArgv,
  POLICY_HELP,
  POLICY_OPTIONS,
  policyFromValues,
  wholeNumber,
} from "./manage_args.ts";
import { withClient } from "./manage_client.ts";
import { field, policyText, printList, printOne, secretNotice, when } from "./manage_format.ts";
import { groupCommand } from "./manage_group.ts";

type Json = Record<string, unknown>;

/** Arguments of `tokens create`. */
export interface TokensCreateArgs extends CommonArgs {
  body: Json;
}

/** Arguments of `tokens show` and `tokens revoke`. */
export interface TokenIdArgs extends CommonArgs {
  id: string;
}

/** Arguments of `tokens list`. */
export interface TokensListArgs extends CommonArgs {
  query: string;
}

const used = (t: Json) => `${t.request_count}${t.max_requests === null ? "" : `/${t.max_requests}`}`;

const tokenPairs = (t: Json): [string, string][] => [
  ["id", field(t.id)],
  ["project", field(t.project)],
  ["name", field(t.name)],
  ["prefix", `${t.prefix}…`],
  ["status", field(t.status)],
  ["requests", used(t)],
  ["policy", policyText(t.policy)],
  ["expires", when(t.expires_at)],
  ["revoked", when(t.revoked_at).replace("never", "-")],
  ["created", when(t.created_at)],
];

/** `azmw tokens create` */
export const tokensCreateCommand: Command<TokensCreateArgs> = {
  name: "tokens create",
  summary: "Create a short-lived token for a project (the secret is shown once)",
  help: `Create a withering token ("azmw_t_…"): it expires after --ttl, may be limited to a number of
requests and its own rate, and can be revoked at any time. The secret is printed once.

Usage: azmw tokens create --project NAME [--ttl DURATION] [--max-requests N] [--rpm N] [options]

Options:
      --project NAME       Project the token belongs to (or --project-id; one is required)
      --project-id UUID    The project by its id (project_id)
      --ttl DURATION       Lifetime, e.g. 15m, 1h, 7d (default 1h, at most 30d)
      --duration-minutes N Lifetime in minutes (instead of --ttl)
      --max-requests N     Requests the token may make in all
      --name NAME          A label, e.g. "notebook"

${POLICY_HELP}

${COMMON_HELP}

Examples:
  azmw tokens create --project demo --ttl 1h --max-requests 100 --rpm 10
  export OPENAI_API_KEY="$(azmw tokens create --project demo --json | jq -r .secret)"
`,
  parseArgs(argv) {
    const { common, values } = parseManageArgv(argv, {
      project: { type: "string" },
      "project-id": { type: "string" },
      ttl: { type: "string" },
      "duration-minutes": { type: "string" },
      "max-requests": { type: "string" },
      name: { type: "string" },
      ...POLICY_OPTIONS,
    }, { min: 0, max: 0, names: "" });
    const byName = typeof values.project === "string";
    if (byName === (typeof values["project-id"] === "string")) {
      throw new UsageError('Option "--project" is required (or "--project-id"; not both)');
    }
    const body: Json = byName ? { project: values.project } : { project_id: values["project-id"] };
    if (typeof values.ttl === "string") body.ttl = values.ttl;
    const minutes = wholeNumber("duration-minutes", values["duration-minutes"]);
    if (minutes !== undefined) body.duration_minutes = minutes;
    if (typeof values.name === "string") body.name = values.name;
    const max = wholeNumber("max-requests", values["max-requests"]);
    if (max !== undefined) body.max_requests = max;
    const policy = policyFromValues(values);
    if (Object.keys(policy).length > 0) body.policy = policy;
    return { ...common, body };
  },
  run: (args, io) =>
    withClient(args, io, async (client) => {
      const t = await client.call("POST", "/tokens", args.body);
      if (args.json) io.stdout(JSON.stringify(t, null, 2) + "\n");
      else {
        io.stdout(
          `Created token ${t.id} in project "${t.project}", valid until ${when(t.expires_at)}\n` +
            `${secretNotice(t.secret)}Requests: ${used(t)}   Policy: ${policyText(t.policy)}\n`,
        );
      }
      return 0;
    }),
};

/** `azmw tokens list` */
export const tokensListCommand: Command<TokensListArgs> = {
  name: "tokens list",
  summary: "List tokens (of one project with --project)",
  help: `List withering tokens, oldest first, with their status and use count.

Usage: azmw tokens list [--project NAME] [--limit N] [--cursor C] [options]

Options:
      --project NAME   Only this project's tokens
      --limit N        Tokens per page, 1-100 (default 20)
      --cursor C       Continue after a previous page

${COMMON_HELP}
`,
  parseArgs(argv) {
    const { common, values } = parseManageArgv(argv, LIST_OPTIONS, { min: 0, max: 0, names: "" });
    return { ...common, query: listQuery(values) };
  },
  run: (args, io) =>
    withClient(args, io, async (client) => {
      const body = await client.call("GET", `/tokens${args.query}`);
      printList(
        io,
        args.json,
        body,
        ["ID", "PROJECT", "NAME", "PREFIX", "STATUS", "REQUESTS", "EXPIRES"],
        (t) => [
          field(t.id),
          field(t.project),
          field(t.name),
          `${t.prefix}…`,
          field(t.status),
          used(t),
          when(t.expires_at),
        ],
      );
      return 0;
    }),
};

function oneToken(verb: "show" | "revoke", summary: string, help: string): Command<TokenIdArgs> {
  return {
    name: `tokens ${verb}`,
    summary,
    help,
    parseArgs(argv) {
      const { common, positionals } = parseManageArgv(argv, {}, { min: 1, max: 1, names: "token id" });
      return { ...common, id: positionals[0]! };
    },
    run: (args, io) =>
      withClient(args, io, async (client) => {
        const path = `/tokens/${encodeURIComponent(args.id)}`;
        const t = verb === "show"
          ? await client.call("GET", path)
          : await client.call("POST", `${path}/revoke`);
        if (verb === "show" || args.json) printOne(io, args.json, t, tokenPairs);
        else io.stdout(`Token ${t.id} is ${t.status}\n`);
        return 0;
      }),
  };
}

/** `azmw tokens show` */
export const tokensShowCommand = oneToken(
  "show",
  "Show one token",
  `Show one withering token (never its secret).

Usage: azmw tokens show TOKEN_ID [options]

${COMMON_HELP}
`,
);

/** `azmw tokens revoke` */
export const tokensRevokeCommand = oneToken(
  "revoke",
  "Revoke a token at once",
  `Revoke a withering token. A running gateway refuses it within a second.

Usage: azmw tokens revoke TOKEN_ID [options]

${COMMON_HELP}
`,
);

/** Every `tokens` command, for the dispatcher. */
// deno-lint-ignore no-explicit-any
export const TOKENS_COMMANDS: Command<any>[] = [
  groupCommand("tokens", "Manage withering tokens: create, list, show, revoke", [
    tokensCreateCommand,
    tokensListCommand,
    tokensShowCommand,
    tokensRevokeCommand,
  ]),
  tokensCreateCommand,
  tokensListCommand,
  tokensShowCommand,
  tokensRevokeCommand,
];
