/**
 * `azmw projects create|list|show|update`: projects with their description, metadata, policy and own
 * upstream credentials (secret references), on the local store or through a running gateway.
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
import { field, policyText, printList, printOne, when } from "./manage_format.ts";
import { groupCommand } from "./manage_group.ts";

type Json = Record<string, unknown>;

/** Arguments of `projects create` and `projects update`. */
export interface ProjectWriteArgs extends CommonArgs {
  name: string;
  body: Json;
  /** Policy options given (update merges them into the stored policy). */
  policy: Json;
  clearPolicy: boolean;
}

/** Arguments of `projects show`. */
export interface ProjectNameArgs extends CommonArgs {
  name: string;
}

/** Arguments of `projects list`. */
export interface ProjectsListArgs extends CommonArgs {
  query: string;
}

const pairs = (p: Json): [string, string][] => [
  ["name", field(p.name)],
  ["description", field(p.description)],
  ["disabled", String(p.disabled)],
  ["policy", policyText(p.policy)],
  [
    "credentials",
    Object.entries((p.upstream_credentials ?? {}) as Json).map(([k, v]) => `${k}=${v}`).join(" ") || "-",
  ],
  ["metadata", JSON.stringify(p.metadata ?? {})],
  ["created", when(p.created_at)],
  ["updated", when(p.updated_at)],
];

const WRITE_OPTIONS = {
  description: { type: "string" },
  metadata: { type: "string" },
  credential: { type: "string", multiple: true },
  ...POLICY_OPTIONS,
} as const;

function writeArgs(argv: string[], update: boolean): ProjectWriteArgs {
  const extra = update
    ? {
      ...WRITE_OPTIONS,
      disable: { type: "boolean" },
      enable: { type: "boolean" },
      "clear-policy": { type: "boolean" },
    }
    : WRITE_OPTIONS;
  const { common, values, positionals } = parseManageArgv(argv, extra as typeof WRITE_OPTIONS, {
    min: 1,
    max: 1,
    names: "project name",
  });
  const body: Json = {};
  if (typeof values.description === "string") body.description = values.description;
  if (typeof values.metadata === "string") {
    try {
      body.metadata = JSON.parse(values.metadata);
    } catch {
      throw new UsageError('Option "--metadata" expects a JSON object such as \'{"owner":"data-team"}\'');
    }
  }
  if (Array.isArray(values.credential)) {
    const creds: Json = {};
    for (const c of values.credential.map(String)) {
      const at = c.indexOf("=");
      if (at <= 0) {
        throw new UsageError(
          `Option "--credential" expects UPSTREAM=env:NAME or UPSTREAM=file:/path, got "${c}"`,
        );
      }
      creds[c.slice(0, at)] = c.slice(at + 1);
    }
    body.upstream_credentials = creds;
  }
  if (values.disable === true && values.enable === true) {
    throw new UsageError('Use either "--disable" or "--enable"');
  }
  if (values.disable === true) body.disabled = true;
  if (values.enable === true) body.disabled = false;
  const policy = policyFromValues(values);
  return { ...common, name: positionals[0]!, body, policy, clearPolicy: values["clear-policy"] === true };
}

/** `azmw projects create` */
export const projectsCreateCommand: Command<ProjectWriteArgs> = {
  name: "projects create",
  summary: "Create a project with its policy",
  help: `Create a project. Keys and tokens belong to a project; its policy applies to all of them.

Usage: azmw projects create NAME [--description TEXT] [--metadata JSON] [--credential UPSTREAM=REF]... [policy options] [options]

Options:
      --description TEXT        What the project is for
      --metadata JSON           A JSON object, e.g. '{"owner":"data-team","cost_centre":"4711"}'
      --credential UPSTREAM=REF The project's own key for an upstream, as a secret reference
                                (env:NAME or file:/path); repeat for several upstreams

${POLICY_HELP}

${COMMON_HELP}

Example:
  azmw projects create demo --description "Demo app" --models "gpt-4o*" --rpm 60 --tpm 100000
`,
  parseArgs: (argv) => writeArgs(argv, false),
  run: (args, io) =>
    withClient(args, io, async (client) => {
      const body = {
        name: args.name,
        ...args.body,
        ...(Object.keys(args.policy).length ? { policy: args.policy } : {}),
      };
      const p = await client.call("POST", "/projects", body);
      if (args.json) io.stdout(JSON.stringify(p, null, 2) + "\n");
      else io.stdout(`Created project "${p.name}"\n`);
      return 0;
    }),
};

/** `azmw projects update` */
export const projectsUpdateCommand: Command<ProjectWriteArgs> = {
  name: "projects update",
  summary: "Change a project's policy, description or credentials; disable or enable it",
  help: `Change a project. Policy options are merged into the stored policy (--clear-policy starts from none);
--credential replaces all of the project's upstream credentials. A disabled project's keys and tokens are
refused within a second.

Usage: azmw projects update NAME [options]

Options:
      --description TEXT        New description
      --metadata JSON           New metadata (replaces the old)
      --credential UPSTREAM=REF The project's own key for an upstream (repeatable; replaces all)
      --clear-policy            Remove the current policy before applying the options
      --disable | --enable      Refuse or accept the project's keys and tokens

${POLICY_HELP}

${COMMON_HELP}

Example:
  azmw projects update demo --rpm 120 --daily-cost-eur 25
`,
  parseArgs: (argv) => writeArgs(argv, true),
  run: (args, io) =>
    withClient(args, io, async (client) => {
      const path = `/projects/${encodeURIComponent(args.name)}`;
      const body = { ...args.body };
      if (args.clearPolicy || Object.keys(args.policy).length > 0) {
        const current = args.clearPolicy ? {} : (await client.call("GET", path)).policy as Json;
        body.policy = { ...current, ...args.policy };
      }
      const p = await client.call("PATCH", path, body);
      printOne(io, args.json, p, pairs);
      return 0;
    }),
};

/** `azmw projects list` */
export const projectsListCommand: Command<ProjectsListArgs> = {
  name: "projects list",
  summary: "List projects",
  help: `List projects, oldest first.

Usage: azmw projects list [--limit N] [--cursor C] [options]

Options:
      --limit N        Projects per page, 1-100 (default 20)
      --cursor C       Continue after a previous page

${COMMON_HELP}
`,
  parseArgs(argv) {
    const { project: _, ...options } = LIST_OPTIONS;
    const { common, values } = parseManageArgv(argv, options, { min: 0, max: 0, names: "" });
    return { ...common, query: listQuery(values) };
  },
  run: (args, io) =>
    withClient(args, io, async (client) => {
      const body = await client.call("GET", `/projects${args.query}`);
      printList(io, args.json, body, ["NAME", "STATUS", "POLICY", "DESCRIPTION"], (p) => [
        field(p.name),
        p.disabled ? "disabled" : "active",
        policyText(p.policy),
        field(p.description),
      ]);
      return 0;
    }),
};

/** `azmw projects show` */
export const projectsShowCommand: Command<ProjectNameArgs> = {
  name: "projects show",
  summary: "Show one project",
  help: `Show one project with its policy and credential references.

Usage: azmw projects show NAME [options]

${COMMON_HELP}
`,
  parseArgs(argv) {
    const { common, positionals } = parseManageArgv(argv, {}, { min: 1, max: 1, names: "project name" });
    return { ...common, name: positionals[0]! };
  },
  run: (args, io) =>
    withClient(args, io, async (client) => {
      printOne(io, args.json, await client.call("GET", `/projects/${encodeURIComponent(args.name)}`), pairs);
      return 0;
    }),
};

/** Every `projects` command, for the dispatcher. */
// deno-lint-ignore no-explicit-any
export const PROJECTS_COMMANDS: Command<any>[] = [
  groupCommand("projects", "Manage projects: create, list, show, update", [
    projectsCreateCommand,
    projectsListCommand,
    projectsShowCommand,
    projectsUpdateCommand,
  ]),
  projectsCreateCommand,
  projectsListCommand,
  projectsShowCommand,
  projectsUpdateCommand,
];
