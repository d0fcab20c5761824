// Builds the explorer's page into one folder: type-checks the TypeScript (tsc --noEmit), bundles
// src/main.ts with its npm dependencies into app.js and app.css (esbuild), and copies index.html.
// Usage: node build.mjs OUT_DIR. Called by Client.targets during `dotnet build`.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, "dist"));
mkdirSync(out, { recursive: true });

execFileSync(process.execPath, [join(here, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", here], { stdio: "inherit" });

await esbuild.build({
  entryPoints: [join(here, "src", "main.ts")],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  outfile: join(out, "app.js"),
  legalComments: "linked",
  logLevel: "warning",
});
copyFileSync(join(here, "index.html"), join(out, "index.html"));
writeFileSync(join(out, "build.stamp"), new Date().toISOString() + "\n");
