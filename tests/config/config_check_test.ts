import assert from "node:assert/strict";
import { configCheckCommand } from "../../src/cli/config_check.ts";
import { type CliIo, UsageError } from "../../src/cli/command.ts";

const SECRET = "sk-live-do-not-print-0123";

const VALID = `
auth:
  keys:
    - { id: dev, key: env:AZMW_KEY }
upstreams:
  - name: azure-main
    kind: azure
    endpoint: https://my-resource.openai.azure.com
    auth: { type: api_key, key: env:AZURE_OPENAI_API_KEY }
    deployments: [gpt-4o, text-embedding-3-small]
`;

function fakeIo(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    env: (n) => env[n],
    signal: new AbortController().signal,
  };
  return { io, stdout: () => out.join(""), stderr: () => err.join("") };
}

/** Writes `text` to a temp file, runs `fn` with its path, removes it. */
async function withFile<T>(text: string, fn: (path: string) => Promise<T>): Promise<T> {
  const path = await Deno.makeTempFile({ suffix: ".yaml" });
  try {
    await Deno.writeTextFile(path, text);
    return await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

async function check(text: string, argv: string[], env: Record<string, string> = {}) {
  return await withFile(text, async (path) => {
    const fake = fakeIo(env);
    const code = await configCheckCommand.run(configCheckCommand.parseArgs(["-c", path, ...argv]), fake.io);
    return { code, path, stdout: fake.stdout(), stderr: fake.stderr() };
  });
}

Deno.test("configCheckCommand.parseArgs() reads the options", async (t) => {
  const parse = (argv: string[]) => configCheckCommand.parseArgs(argv);
  await t.step("defaults", () => {
    assert.deepEqual(parse([]), { config: "config.yaml", json: false, resolveSecrets: false });
  });
  await t.step("every option", () => {
    assert.deepEqual(parse(["-c", "prod.yaml", "--json", "--resolve-secrets"]), {
      config: "prod.yaml",
      json: true,
      resolveSecrets: true,
    });
    assert.equal(parse(["--config=x.yaml"]).config, "x.yaml");
  });
  await t.step("--help is accepted", () => {
    assert.doesNotThrow(() => parse(["--help"]));
    assert.doesNotThrow(() => parse(["-h"]));
  });
  await t.step("bad command lines are UsageErrors", () => {
    const cases: [string[], string][] = [
      [["--verbose"], 'Unknown option "--verbose"'],
      [["-x"], 'Unknown option "-x"'],
      [["prod.yaml"], 'Unexpected argument "prod.yaml"'],
      [["--config"], 'Option "--config" needs a value'],
      [["--json=yes"], 'Option "--json" takes no value'],
      [["-c", ""], 'Option "--config" needs a file path'],
    ];
    for (const [argv, message] of cases) {
      assert.throws(
        () => parse(argv),
        (err: unknown) => err instanceof UsageError && err.message === message,
      );
    }
  });
});

Deno.test("configCheckCommand.run() reports a valid file", async () => {
  const { code, path, stdout, stderr } = await check(VALID, []);
  assert.equal(code, 0);
  assert.equal(stdout, `${path}: OK (1 upstream, 2 deployments, 1 caller key)\n`);
  assert.equal(stderr, "");
});

Deno.test("configCheckCommand.run() lists every issue with its path", async () => {
  const text = `server: { port: abc, prot: 1 }\n${VALID.replace("env:AZURE_OPENAI_API_KEY", SECRET)}`;
  const { code, path, stdout } = await check(text, []);
  assert.equal(code, 1);
  assert.equal(
    stdout,
    `${path}: invalid (3 problems)\n` +
      '  - server.prot: unknown key, did you mean "port"?\n' +
      '  - server.port: expected an integer from 1 to 65535, got "abc"\n' +
      '  - upstreams[0].auth.key: expected a secret reference "env:NAME", "file:/path" or "kv://<vault>/<secret>" (literal secrets are not allowed), got a literal value\n',
  );
  assert.ok(!stdout.includes(SECRET));
});

Deno.test("configCheckCommand.run() prints JSON", async (t) => {
  await t.step("valid", async () => {
    const { code, stdout } = await check(VALID, ["--json"]);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), { valid: true, issues: [] });
  });
  await t.step("invalid", async () => {
    const { code, stdout } = await check(`server: { port: 0 }\n${VALID}`, ["--json"]);
    assert.equal(code, 1);
    assert.deepEqual(JSON.parse(stdout), {
      valid: false,
      issues: [{ path: "server.port", message: "expected an integer from 1 to 65535, got 0" }],
    });
  });
});

Deno.test("configCheckCommand.run() reports a missing file and a YAML error", async () => {
  const fake = fakeIo();
  const code = await configCheckCommand.run({
    config: "/nonexistent/azmw.yaml",
    json: false,
    resolveSecrets: false,
  }, fake.io);
  assert.equal(code, 1);
  assert.equal(
    fake.stdout(),
    "/nonexistent/azmw.yaml: invalid (1 problem)\n  - (root): the file does not exist\n",
  );
  const yaml = await check("server:\n  port: [1\n", []);
  assert.equal(yaml.code, 1);
  assert.match(yaml.stdout, / {2}- \(root\): invalid YAML at line 3, column 1: /);
});

Deno.test("configCheckCommand.run() resolves secrets only when asked, never printing them", async (t) => {
  await t.step("unset variables are reported", async () => {
    const { code, stdout } = await check(VALID, ["--resolve-secrets"], { AZMW_KEY: SECRET });
    assert.equal(code, 1);
    assert.match(
      stdout,
      /invalid \(1 problem\)\n {2}- upstreams\[0\]\.auth\.key: environment variable "AZURE_OPENAI_API_KEY" is not set: set it to the secret \(export AZURE_OPENAI_API_KEY=\.\.\.\) before starting\n$/,
    );
    assert.ok(!stdout.includes(SECRET));
  });
  await t.step("all set", async () => {
    const env = { AZMW_KEY: SECRET, AZURE_OPENAI_API_KEY: SECRET };
    const { code, stdout } = await check(VALID, ["--resolve-secrets", "--json"], env);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), { valid: true, issues: [] });
    assert.ok(!stdout.includes(SECRET));
  });
  await t.step("not resolved without the flag", async () => {
    assert.equal((await check(VALID, [])).code, 0);
  });
});

Deno.test("configCheckCommand has a name, summary and help with options and exit codes", () => {
  assert.equal(configCheckCommand.name, "config check");
  assert.ok(configCheckCommand.summary.length > 0 && !configCheckCommand.summary.includes("\n"));
  for (
    const text of [
      "Usage: azmw config check",
      "--config",
      "--json",
      "--resolve-secrets",
      "--help",
      "Exit codes",
    ]
  ) {
    assert.ok(configCheckCommand.help.includes(text), text);
  }
  assert.match(
    configCheckCommand.help,
    /0 +the configuration is valid\n +1 +the configuration is invalid.*\n +2 +bad command line/,
  );
});
