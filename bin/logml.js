#!/usr/bin/env node
// Launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm ci`).
// `logml --help` alone prints the help text rendered at build time (dist/help.txt), so the most
// common first command answers without loading the CLI's modules; everything else loads dist/cli.js.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
let served = false;
if (args.length === 1 && (args[0] === '--help' || args[0] === '-h') && !process.env.LOGML_NO_HELP_CACHE) {
  try {
    process.stdout.on('error', () => {}); // `logml --help | head`: a closed reader is fine
    process.stdout.write(readFileSync(new URL('../dist/help.txt', import.meta.url)));
    served = true;
  } catch {
    // no cached help (an old build): fall through to the full CLI
  }
}
if (!served) {
  import('../dist/cli.js').then((m) => m.main(process.argv)).catch((err) => {
    process.stderr.write(`logml: could not start (${err && err.message ? err.message : err}); run \`npm run build\` first\n`);
    process.exitCode = 1;
  });
}
