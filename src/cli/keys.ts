/**
 * `azmw keys create|list|show|revoke|rotate`: API keys of projects, on the local store or through a
 * running gateway's management API. A new key's secret is printed once.
 */
import { type Command, UsageError } from "../core/command.ts";
import {
  COMMON_HELP,
  type CommonArgs,
  LIST_OPTIONS,
  listQuery,
  parseManageArgv,
  POLICY_HELP,
  POLICY_OPTIONS,
  policyFromValues,
} from "./manage_args.ts";
import { withClient } from "./manage_client.ts";
import { field, policyText, printList, printOne, secretNotice, when } from "./manage_format.ts";
import { groupCommand } from "./manage_group.ts";

type Json = Record<string, unknown>;

/** Arguments of `keys create`. */
export interface KeysCreateArgs extends CommonArgs {
  body: Json;
}

/** Arguments of the commands that name one key. */
export interface KeyIdArgs extends CommonArgs {
  id: string;
  body: Json;
}

/** Arguments of `keys list`. */
export interface KeysListArgs extends CommonArgs {
  query: string;
}

const keyPairs = (k: Json): [string, string][] => [
  ["id", field(k.id)],
  ["project", field(k.project)],
  ["name", field(k.name)],
  ["prefix", `${k.prefix}…`],
  ["status", field(k.status)],
  ["policy", policyText(k.policy)],
  ["expires", when(k.expires_at)],
  ["replaced by", field(k.replaced_by)],
  ["created", when(k.created_at)],
];

/** `azmw keys create` */
export const keysCreateCommand: Command<KeysCreateArgs> = {
  name: "keys create",
  summary: "Create an API key for a project (the secret is shown once)",
  help: `Create an API key ("azmw_…") for a project. The secret is printed once; only its SHA-256 is stored.

Usage: azmw keys create --project NAME [--name NAME] [--expires DURATION] [policy options] [options]

Options:
      --project NAME       Project the key belongs to (required)
      --name NAME          A label, e.g. "ci"
      --expires DURATION   Key stops working after this long, e.g. 30d, 12h (default: never)

${POLICY_HELP}

${COMMON_HELP}

Examples:
  azmw keys create --project demo --name ci --expires 30d
  azmw keys create --project demo --models "gpt-4o*" --rpm 60 --json | jq -r .secret
`,
  parseArgs(argv) {
    const { common, values } = parseManageArgv(
      argv,
      {
        project: { type: "string" },
        name: { type: "string" },
        expires: { type: "string" },
        ...POLICY_OPTIONS,
      },
      { min: 0, max: 0, names: "" },
    );
    const body: Json = { project: values.project ?? "" };
    if (values.project === undefined) throw new UsageError('Option "--project" is required');
    if (typeof values.name === "string") body.name = values.name;
    if (typeof values.expires === "string") body.expires_in = values.expires;
    const policy = policyFromValues(values);
    if (Object.keys(policy).length > 0) body.policy = policy;
    return { ...common, body };
  },
  run: (args, io) =>
    withClient(args, io, async (client) => {
      const key = await client.call("POST", "/keys", args.body);
      if (args.json) io.stdout(JSON.stringify(key, null, 2) + "\n");
      else {io.stdout(
          `Created API key ${key.id} in project "${key.project}"\n${secretNotice(key.secret)}${
            printable(key)
          }`,
        );}
      return 0;
    }),
};

/** `azmw keys list` */
export const keysListCommand: Command<KeysListArgs> = {
  name: "keys list",
  summary: "List API keys (of one project with --project)",
  help: `List API keys, oldest first. Secrets are never shown, only their prefix.

Usage: azmw keys list [--project NAME] [--limit N] [--cursor C] [options]

Options:
      --project NAME   Only this project's keys
      --limit N        Keys per page, 1-100 (default 20)
      --cursor C       Continue after a previous page

${COMMON_HELP}
`,
  parseArgs(argv) {
    const { common, values } = parseManageArgv(argv, LIST_OPTIONS, { min: 0, max: 0, names: "" });
    return { ...common, query: listQuery(values) };
  },
  run: (args, io) =>
    withClient(args, io, async (client) => {
      const body = await client.call("GET", `/keys${args.query}`);
      printList(io, args.json, body, ["ID", "PROJECT", "NAME", "PREFIX", "STATUS", "EXPIRES"], (k) => [
        field(k.id),
        field(k.project),
        field(k.name),
        `${k.prefix}…`,
        field(k.status),
        when(k.expires_at),
      ]);
      return 0;
    }),
};

/** A command on one key: `show`, `revoke`, `rotate`. */
function oneKey(
  verb: "show" | "revoke" | "rotate",
  summary: string,
  help: string,
  options: Parameters<typeof parseManageArgv>[1] = {},
  bodyOf: (values: Json) => Json = () => ({}),
): Command<KeyIdArgs> {
  return {
    name: `keys ${verb}`,
    summary,
    help,
    parseArgs(argv) {
      const { common, values, positionals } = parseManageArgv(argv, options, {
        min: 1,
        max: 1,
        names: "key id",
      });
      return { ...common, id: positionals[0]!, body: bodyOf(values) };
    },
    run: (args, io) =>
      withClient(args, io, async (client) => {
        const path = `/keys/${encodeURIComponent(args.id)}`;
        if (verb === "show") {
          printOne(io, args.json, await client.call("GET", path), keyPairs);
          return 0;
        }
        const key = await client.call("POST", `${path}/${verb}`, args.body);
        if (args.json) io.stdout(JSON.stringify(key, null, 2) + "\n");
        else if (verb === "revoke") io.stdout(`API key ${key.id} is ${key.status}\n`);
        else {
          const previous = key.previous as Json;
          io.stdout(
            `Rotated ${previous.id} to ${key.id}; ${previous.id} keeps working until ${
              when(previous.expires_at)
            }\n` +
              `${secretNotice(key.secret)}${printable(key)}`,
          );
        }
        return 0;
      }),
  };
}

/** `azmw keys show` */
export const keysShowCommand = oneKey(
  "show",
  "Show one API key",
  `Show one API key (never its secret).

Usage: azmw keys show KEY_ID [options]

${COMMON_HELP}
`,
);

/** `azmw keys revoke` */
export const keysRevokeCommand = oneKey(
  "revoke",
  "Disable an API key at once",
  `Disable an API key. A running gateway refuses it within a second.

Usage: azmw keys revoke KEY_ID [options]

${COMMON_HELP}
`,
);

/** `azmw keys rotate` */
export const keysRotateCommand = oneKey(
  "rotate",
  "Replace an API key; the old one works for a grace period",
  `Create a new key with the same project, name and policy. The old key keeps working for the grace
period (default 24h), then it is refused. The new secret is printed once.

Usage: azmw keys rotate KEY_ID [--grace DURATION] [--expires DURATION] [options]

Options:
      --grace DURATION     How long the old key keeps working, e.g. 1h, 7d (default 24h; 0s ends it now)
      --expires DURATION   Lifetime of the new key (default: the old key's lifetime)
${COMMON_HELP}

Example:
  azmw keys rotate key_0123456789abcdef --grace 1h
`,
  { grace: { type: "string" }, expires: { type: "string" } },
  (values) => ({
    ...(typeof values.grace === "string" ? { grace: values.grace } : {}),
    ...(typeof values.expires === "string" ? { expires_in: values.expires } : {}),
  }),
);

function printable(key: Json): string {
  return `Prefix: ${key.prefix}…   Expires: ${when(key.expires_at)}   Policy: ${policyText(key.policy)}\n`;
}

/** Every `keys` command, for the dispatcher. */
// deno-lint-ignore no-explicit-any
export const KEYS_COMMANDS: Command<any>[] = [
  groupCommand("keys", "Manage API keys: create, list, show, revoke, rotate", [
    keysCreateCommand,
    keysListCommand,
    keysShowCommand,
    keysRevokeCommand,
    keysRotateCommand,
  ]),
  keysCreateCommand,
  keysListCommand,
  keysShowCommand,
  keysRevokeCommand,
  keysRotateCommand,
];
