#!/usr/bin/env node
// Launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm ci`).
import('../dist/cli.js').then((m) => m.main(process.argv)).catch((err) => {
  process.stderr.write(`logml: could not start (${err && err.message ? err.message : err}); run \`npm run build\` first\n`);
  process.exitCode = 1;
});
