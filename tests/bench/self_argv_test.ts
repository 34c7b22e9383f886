import assert from "node:assert/strict";
import { currentSelf, isCompiled, selfArgv } from "../../src/bench/overhead/self_argv.ts";

Deno.test("selfArgv() runs main.ts through deno when not compiled", () => {
  const self = { execPath: "/usr/bin/deno", standalone: false, mainUrl: "file:///srv/azmw/main.ts" };
  assert.equal(isCompiled(self), false);
  const argv = selfArgv(self, ["mock", "--port", "0"]);
  assert.deepEqual(argv.slice(0, 2), ["/usr/bin/deno", "run"]);
  assert.ok(argv.includes("--config=/srv/azmw/deno.json"), "the import map is found from any cwd");
  assert.deepEqual(argv.slice(-4), ["/srv/azmw/main.ts", "mock", "--port", "0"]);
  const spaced = { ...self, mainUrl: "file:///home/me/my%20azmw/main.ts" };
  assert.equal(selfArgv(spaced, []).at(-1), "/home/me/my azmw/main.ts");
});

Deno.test("selfArgv() runs a compiled executable directly", async (t) => {
  await t.step("Deno.build.standalone", () => {
    const self = {
      execPath: "/opt/azmw",
      standalone: true,
      mainUrl: "file:///tmp/deno-compile-azmw/main.ts",
    };
    assert.deepEqual(selfArgv(self, ["serve", "--port", "0"]), ["/opt/azmw", "serve", "--port", "0"]);
  });
  await t.step("a deno-compile virtual path on older runtimes", () => {
    const self = {
      execPath: "/opt/azmw",
      standalone: false,
      mainUrl: "file:///tmp/deno-compile-azmw/main.ts",
    };
    assert.equal(isCompiled(self), true);
    assert.deepEqual(selfArgv(self, ["mock"]), ["/opt/azmw", "mock"]);
  });
});

Deno.test("selfArgv() refuses a main module that is not a local file", () => {
  const self = { execPath: "/usr/bin/deno", standalone: false, mainUrl: "https://example.com/main.ts" };
  assert.throws(() => selfArgv(self, []), TypeError);
});

Deno.test("currentSelf() points at this repository's main.ts", async () => {
  const self = currentSelf();
  assert.equal(self.execPath, Deno.execPath());
  assert.equal(self.standalone, false);
  assert.ok((await Deno.stat(new URL(self.mainUrl))).isFile);
});
