// Bundles the extension (node, CommonJS, `vscode` external) and the chat webview (browser IIFE).
// `--tests` also bundles the node test suites into dist-test/.
import { build } from "esbuild";
import { readdirSync } from "node:fs";

const common = { bundle: true, sourcemap: true, logLevel: "warning", minify: false };

await build({
  ...common,
  entryPoints: ["src/extension.ts"],
  outfile: "dist/extension.js",
  platform: "node",
  format: "cjs",
  target: "node20",
  external: ["vscode"],
});

await build({
  ...common,
  entryPoints: ["webview/main.ts"],
  outfile: "dist/webview.js",
  platform: "browser",
  format: "iife",
  target: "es2022",
});

if (process.argv.includes("--tests")) {
  for (const suite of ["unit", "e2e"]) {
    const entryPoints = readdirSync(`test/${suite}`)
      .filter((name) => name.endsWith(".test.ts"))
      .map((name) => `test/${suite}/${name}`);
    await build({
      ...common,
      entryPoints,
      outdir: `dist-test/${suite}`,
      platform: "node",
      format: "cjs",
      target: "node20",
      external: ["jsdom", "playwright-core"],
    });
  }
}
