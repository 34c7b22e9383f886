import assert from "node:assert/strict";
import { checkLayers, judge, placeOf, relativeImports } from "../../scripts/check_layers.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

Deno.test("checkLayers() finds no import of main.ts or src/ that points up or sideways", async () => {
  const found = await checkLayers(ROOT);
  assert.deepEqual(found.map((v) => `${v.from}:${v.line} imports ${v.to} (${v.why})`), []);
});

Deno.test("checkLayers() reports an import that points up, sideways or outside the floors", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/src/core`, { recursive: true });
    await Deno.mkdir(`${root}/src/pipeline`, { recursive: true });
    await Deno.mkdir(`${root}/src/store`, { recursive: true });
    await Deno.writeTextFile(`${root}/main.ts`, 'import "./src/cli/main.ts";\n');
    await Deno.writeTextFile(
      `${root}/src/core/errors.ts`,
      '/**\n * import { x } from "../server/app.ts";\n */\nimport type { A } from "../pipeline/a.ts";\n',
    );
    await Deno.writeTextFile(
      `${root}/src/pipeline/a.ts`,
      'import {\n  b,\n} from "../core/errors.ts";\nexport type A = 1;\n',
    );
    await Deno.writeTextFile(
      `${root}/src/store/s.ts`,
      'const m = await import("../mock/x.ts");\nimport "../../x.ts";\n',
    );
    const found = await checkLayers(root);
    assert.deepEqual(found, [
      { from: "src/core/errors.ts", to: "src/pipeline/a.ts", line: 4, why: "up" },
      { from: "src/store/s.ts", to: "src/mock/x.ts", line: 1, why: "sideways" },
      { from: "src/store/s.ts", to: "x.ts", line: 2, why: "outside" },
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("placeOf() matches whole path segments; judge() lets a folder import itself and lower floors", () => {
  assert.equal(placeOf("src/admin/ui/page.ts")?.entry, "src/admin");
  assert.equal(placeOf("src/version.ts")?.entry, "src/version.ts");
  assert.equal(placeOf("src/version_x.ts"), null);
  assert.equal(judge("src/admin/api.ts", "src/admin/ui/page.ts"), null);
  assert.equal(judge("src/config/schema.ts", "src/governance/policy.ts"), "up");
  assert.equal(judge("src/pipeline/a.ts", "src/pipeline/b.ts"), null);
  assert.deepEqual(relativeImports('export { a } from "./a.ts";\n// import "./b.ts";\n'), [{
    spec: "./a.ts",
    line: 1,
  }]);
});
