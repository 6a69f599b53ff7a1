// Builds the browser console into console/dist/www: index.html and styles.css copied, src/main.ts
// bundled with the SDK by esbuild into app.js. Incremental: does nothing when no input changed since
// the last build (inputs are what esbuild's metafile listed, plus this script and the static files).
// Run by scripts/bootstrap.sh after `tsc -b` (the SDK it bundles is tsc's output).
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const out = join(here, "dist", "www");
const metaFile = join(here, "dist", "meta.json");
const statics = ["index.html", "styles.css"];
const force = process.argv.includes("--force");

function newestInput() {
  if (!existsSync(metaFile)) return Infinity;
  const meta = JSON.parse(readFileSync(metaFile, "utf8"));
  const files = [...Object.keys(meta.inputs).map((f) => resolve(root, f)), fileURLToPath(import.meta.url), ...statics.map((f) => join(here, f))];
  let newest = 0;
  for (const f of files) {
    if (!existsSync(f)) return Infinity;
    newest = Math.max(newest, statSync(f).mtimeMs);
  }
  return newest;
}

const target = join(out, "app.js");
if (!force && existsSync(target) && newestInput() <= statSync(target).mtimeMs) process.exit(0);

const { build } = await import("esbuild");
mkdirSync(out, { recursive: true });
const started = performance.now();
const result = await build({
  absWorkingDir: root,
  entryPoints: [join(here, "src", "main.ts")],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["es2022"],
  outfile: target,
  minify: true,
  sourcemap: "linked",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});
for (const f of statics) copyFileSync(join(here, f), join(out, f));
writeFileSync(metaFile, JSON.stringify({ inputs: result.metafile.inputs }));
const size = statSync(target).size;
process.stderr.write(`artenic: built the console (${(size / 1024).toFixed(0)} KiB) in ${(performance.now() - started).toFixed(0)} ms\n`);
