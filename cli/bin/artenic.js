#!/usr/bin/env node
// The `artenic` command. The code lives in ../dist (built by `tsc -b`); this file exists before the
// build so that npm can link it as a bin at install time.
import { enableCompileCache } from "node:module";

// Cache compiled code between runs (in the OS temp directory): a command starts faster.
enableCompileCache?.();
import("../dist/main.js").then(
  (m) => m.run(process.argv),
  (e) => {
    process.stderr.write(`artenic: the CLI is not built (${e instanceof Error ? e.message : String(e)}); run \`npm run build\` at the repository root.\n`);
    process.exit(1);
  },
);
