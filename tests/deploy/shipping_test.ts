/**
 * The shipping artefacts, checked as far as this machine allows (no container engine, no compile runtime):
 * the Dockerfile's, compose file's and systemd unit's commands are ones azmw accepts, the Grafana dashboard
 * queries only metrics that `/metrics` exports (docs/operations.md's table, itself checked against a running
 * gateway), and the release targets and flags are ones `deno compile` takes.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { validateConfig } from "../../src/config/schema.ts";
import { RELEASE_TARGETS, releaseCommands } from "../../scripts/release.ts";
import { runAzmw } from "../_helpers/cli.ts";
import { documentedMetrics } from "../_helpers/docs.ts";

const ROOT = new URL("../../", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, ROOT));
const denoJson = async () => JSON.parse(await read("deno.json"));

/** The long options a subcommand's --help lists. */
async function helpOptions(args: string[]): Promise<Set<string>> {
  const { code, stdout } = await runAzmw([...args, "--help"]);
  assert.equal(code, 0);
  return new Set([...stdout.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]));
}

Deno.test("the Grafana dashboard queries only metrics the gateway exports", async () => {
  const dashboard = JSON.parse(await read("deploy/grafana/azmw-dashboard.json"));
  const documented = await documentedMetrics();
  const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) =>
    p.targets.map((t) => t.expr)
  );
  assert.ok(exprs.length >= 15);
  const used = new Set<string>();
  for (const e of exprs) {
    for (const m of e.matchAll(/\b(?:azmw|process)_[a-z_]+/g)) {
      used.add(m[0].replace(/_(bucket|sum|count)$/, ""));
    }
  }
  const missing = [...used].filter((n) => !documented.has(n));
  assert.deepEqual(missing, [], "queried but not exported");
  for (
    const n of [
      "azmw_requests_total",
      "azmw_cost_today_eur",
      "azmw_breaker_state",
      "azmw_request_duration_seconds",
    ]
  ) {
    assert.ok(used.has(n), `the dashboard shows ${n}`);
  }
  assert.equal(new Set(dashboard.panels.map((p: { id: number }) => p.id)).size, dashboard.panels.length);
});

Deno.test("the release task compiles each shipped target with the compile task's flags", async () => {
  const json = await denoJson();
  assert.match(json.tasks.release, /scripts\/release\.ts/);
  const commands = releaseCommands(json.tasks.compile);
  assert.deepEqual(commands.map((c) => c.target), RELEASE_TARGETS.map((t) => t.target));
  const help = new TextDecoder().decode(
    (await new Deno.Command(Deno.execPath(), {
      args: ["compile", "--help"],
      stdout: "piped",
      env: { NO_COLOR: "1" },
    })
      .output()).stdout,
  );
  // deno names the possible targets when given an impossible one (before any download).
  const bad = await new Deno.Command(Deno.execPath(), {
    args: ["compile", "--target", "no-such-target", "main.ts"],
    cwd: ROOT,
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const possible =
    /possible values: ([^\n]+)/.exec(new TextDecoder().decode(bad.stderr))?.[1]?.split(/,\s*/) ?? [];
  assert.ok(possible.length > 0, "deno lists its targets");
  for (const { target, args } of commands) {
    assert.ok(possible.includes(target), `deno compile supports ${target}`);
    for (const flag of args.filter((a) => a.startsWith("--"))) {
      assert.ok(help.includes(flag.split("=")[0]!), `deno compile --help lists ${flag}`);
    }
    const task = json.tasks.compile.split(/\s+/);
    for (const permission of task.filter((a: string) => a.startsWith("--allow") || a === "--include")) {
      assert.ok(args.includes(permission), `${target} keeps ${permission}`);
    }
  }
  assert.throws(() => releaseCommands("deno run main.ts"), /must start with "deno compile"/);
  assert.throws(() => releaseCommands("deno compile main.ts"), /--output/);
});

Deno.test("the Dockerfile builds with the compile task and runs azmw as a non-root user with a health check", async () => {
  const text = await read("Dockerfile");
  const stages = [...text.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
  assert.equal(stages.length, 2, "multi-stage: build, then runtime");
  assert.match(stages[0]!, /^denoland\/deno:.*2\.9\.6/, "the pinned Deno version builds it");
  assert.match(text, /RUN deno task compile/);
  assert.ok((await denoJson()).tasks.compile.includes("--output dist/azmw"));
  for (const m of text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
    for (const src of m[1]!.split(/\s+/)) await Deno.stat(new URL(src, ROOT)); // every copied source exists
  }
  assert.match(text, /^USER 65532:65532$/m);
  const health = /HEALTHCHECK[^\n]*\n?[^\n]*CMD (\[.*\])/.exec(text)?.[1];
  const [, command, ...flags] = JSON.parse(health!);
  assert.equal(command, "status");
  const status = await helpOptions(["status"]);
  for (const f of flags.filter((a: string) => a.startsWith("--"))) assert.ok(status.has(f), f);
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(text)![1]!);
  assert.equal(cmd[0], "serve");
  const serve = await helpOptions(["serve"]);
  for (const f of cmd.filter((a: string) => a.startsWith("--"))) assert.ok(serve.has(f), f);
});

Deno.test("compose.yaml runs three replicas on one PostgreSQL and one Redis", async () => {
  const compose = parse(await read("compose.yaml"), { merge: true }); // compose applies YAML merge keys
  const services = Object.keys(compose.services);
  assert.deepEqual(services.sort(), ["azmw-1", "azmw-2", "azmw-3", "postgres", "redis"]);
  for (const name of ["azmw-1", "azmw-2", "azmw-3"]) {
    const s = compose.services[name];
    assert.equal(s.build, ".");
    assert.equal(s.environment.AZMW_CONFIG, "/etc/azmw/config.yaml");
    assert.ok(s.depends_on.postgres && s.depends_on.redis);
    for (const v of s.volumes as string[]) {
      const source = v.split(":")[0]!;
      if (source.startsWith("./")) await Deno.stat(new URL(source, ROOT));
    }
  }
  const config = parse(await read("deploy/compose.config.yaml"));
  assert.equal(config.manage.store, "env:AZMW_DATABASE_URL");
  assert.equal(config.shared.redis, "env:AZMW_REDIS_URL");
  // The replicas' config is one azmw accepts (secrets stay references until start).
  const valid = validateConfig(config, "deploy/compose.config.yaml");
  assert.equal(valid.server.host, "0.0.0.0");
  assert.equal(valid.auth.required, true);
  assert.ok(compose.services.postgres.healthcheck && compose.services.redis.healthcheck);
});

Deno.test("the systemd unit starts, reloads and stops azmw the way it expects", async () => {
  const unit = await read("deploy/azmw.service");
  const exec = /^ExecStart=(\S+) (.+)$/m.exec(unit)!;
  const [sub, ...args] = exec[2]!.split(/\s+/);
  assert.equal(sub, "serve");
  const serve = await helpOptions(["serve"]);
  for (const f of args.filter((a) => a.startsWith("--"))) assert.ok(serve.has(f), f);
  assert.match(unit, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m, "SIGHUP reloads the config");
  assert.match(unit, /^KillSignal=SIGTERM$/m);
  assert.match(unit, /^Restart=on-failure$/m);
  assert.match(unit, /^NoNewPrivileges=yes$/m);
  const stop = Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)![1]);
  assert.ok(stop * 1000 > 30_000, "systemd waits past the default shutdown grace");
});
