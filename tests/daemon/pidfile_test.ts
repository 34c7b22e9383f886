import assert from "node:assert/strict";
import { detach, tail } from "../../src/daemon/detach.ts";
import {
  instanceState,
  isAzmwRunning,
  pidPath,
  readPidFile,
  removePidFile,
  writePidFile,
} from "../../src/daemon/pidfile.ts";
import { selfCommand } from "../../src/daemon/self.ts";
import { fakeIo } from "../_helpers/cli.ts";

const INFO = {
  pid: 1,
  url: "http://127.0.0.1:1",
  version: "0",
  startedAt: "x",
  config: "c.yaml",
  logFile: null,
};

Deno.test("pid files round-trip and stale ones are recognised", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.deepEqual(await instanceState(dir), { state: "none" });
    await writePidFile(pidPath(dir), { ...INFO, pid: 999_999_999 });
    assert.equal((await readPidFile(pidPath(dir)))?.url, INFO.url);
    assert.equal((await instanceState(dir)).state, "stale");
    await removePidFile(pidPath(dir), 123); // another pid's file stays
    assert.notEqual(await readPidFile(pidPath(dir)), null);
    await removePidFile(pidPath(dir), 999_999_999);
    assert.equal(await readPidFile(pidPath(dir)), null);
    await Deno.writeTextFile(pidPath(dir), "not json");
    assert.equal(await readPidFile(pidPath(dir)), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("isAzmwRunning() refuses its own pid and processes that are not azmw", async () => {
  assert.equal(isAzmwRunning(Deno.pid), false);
  assert.equal(isAzmwRunning(999_999_999), false);
  const sleeper = new Deno.Command("sleep", { args: ["5"] }).spawn();
  // Right after fork the child still shows its parent's command line; wait for the exec.
  const args = () =>
    new TextDecoder().decode(
      new Deno.Command("ps", { args: ["-o", "args=", "-p", String(sleeper.pid)], stdout: "piped" })
        .outputSync().stdout,
    );
  while (!args().includes("sleep 5")) {
    await new Promise((r) => setTimeout(r, 5));
  }
  try {
    assert.equal(isAzmwRunning(sleeper.pid), false, "a live process whose command line is not azmw serve");
  } finally {
    sleeper.kill();
  }
});

Deno.test("selfCommand() runs the executable alone when compiled, else deno run with the config", () => {
  assert.deepEqual(
    selfCommand({ standalone: true, execPath: "/usr/bin/azmw", mainUrl: "file:///x/main.ts" }),
    [
      "/usr/bin/azmw",
    ],
  );
  const cmd = selfCommand({ standalone: false, execPath: "/deno", mainUrl: "file:///repo/main.ts" });
  assert.equal(cmd[0], "/deno");
  assert.equal(cmd[1], "run");
  assert.ok(cmd.includes("--config=/repo/deno.json"));
  assert.equal(cmd.at(-1), "/repo/main.ts");
});

Deno.test("detach() reports a child that exits before it is ready, with its output", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const io = fakeIo();
    const code = await detach([], {
      dataDir: dir,
      io,
      command: ["sh", "-c", `echo "azmw serve: bad thing" >> ${dir}/azmw.out; exit 3`],
    });
    assert.equal(code, 1);
    assert.match(io.err, /exited \(code 3\)[\s\S]*bad thing/);
    const slow = fakeIo();
    assert.equal(await detach([], { dataDir: dir, io: slow, timeoutMs: 300, command: ["sleep", "5"] }), 1);
    assert.match(slow.err, /no healthy gateway/);
    assert.equal(await tail(`${dir}/missing`, 0), "  (no output)\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
