/** A writer killed with SIGKILL mid-run: everything it reported written is readable, nothing else is corrupt. */
import assert from "node:assert/strict";
import { decodeKeyText, importLogKey, Keyring } from "../../src/logs/keyring.ts";
import { openRecord } from "../../src/logs/open.ts";
import { dayFiles, readRecords } from "../../src/logs/reader.ts";
import { keyEnv } from "./_util.ts";

const CHILD = new URL("./_crash_child.ts", import.meta.url).pathname;

for (const mode of ["thread", "inline"]) {
  Deno.test(`a request log writer killed with SIGKILL loses nothing it reported written (${mode})`, async () => {
    const dir = await Deno.makeTempDir();
    const { key } = keyEnv();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CHILD, dir, mode],
      env: { LOG_KEY: key, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let reported = 0;
    let rest = "";
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    while (reported < 3000) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += value;
      const lines = rest.split("\n");
      rest = lines.pop()!;
      for (const l of lines) reported = Math.max(reported, Number(l.split(" ")[1]));
    }
    child.kill("SIGKILL");
    await reader.cancel();
    const status = await child.status;
    const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
    assert.equal(status.signal, "SIGKILL", stderr);
    assert.ok(reported >= 3000, `the child reported ${reported} records before it stopped: ${stderr}`);

    const warnings: string[] = [];
    const files = await dayFiles(dir, "20251214");
    assert.ok(files.length > 1, "the run rotated files");
    const ring = new Keyring([await importLogKey(decodeKeyText(key))]);
    const ids: string[] = [];
    for await (const { record } of readRecords(files, (w) => warnings.push(w))) {
      const opened = await openRecord(record, ring);
      assert.deepEqual(opened.errors, [], record.id);
      ids.push(record.id);
    }
    // Only the very last line of the last file may be torn.
    assert.ok(warnings.length <= 1, warnings.join("\n"));
    for (const w of warnings) assert.match(w, /^Skipped a torn last line in /);
    assert.ok(ids.length >= reported, `${ids.length} records read, ${reported} reported written`);
    for (let i = 0; i < ids.length; i++) assert.equal(ids[i], `r${String(i).padStart(7, "0")}`);
  });
}
