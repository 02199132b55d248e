/**
 * @file The `logml` program: wires subcommands, global flags, and the one exit point.
 * Subcommand modules register their options here and import their heavy core modules lazily
 * inside their actions, so `logml --help` never loads onnxruntime-node or pg.
 * Only this file maps errors to exit codes and prints them.
 */
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { LogmlError, OutputError } from './core/errors.js';
import { registerPredict } from './commands/predict.js';
import { registerTrain } from './commands/train.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerTemplates } from './commands/templates.js';
import { registerDb } from './commands/db.js';
import { registerRegister } from './commands/register.js';
import { registerModels } from './commands/models.js';
import { registerBackfill } from './commands/backfill.js';
import { registerReport } from './commands/report.js';
import { registerCompare } from './commands/compare.js';
import { registerRetrain } from './commands/retrain.js';
import { registerServe } from './commands/serve.js';

const require = createRequire(import.meta.url);
const pkg = require('../package.json') as { version: string };

export function buildProgram(): Command {
  const program = new Command('logml')
    .description('Machine learning on application logs: score, train and evaluate ONNX models on log files, pipes and PostgreSQL.')
    .version(pkg.version, '-V, --version', 'print the version')
    .option('--debug', 'print stack traces on errors (anywhere on the command line)')
    // program options only before the command: `logml register m.onnx --version 2` is the
    // command's own --version, not the program's (which printed logml's version and exited 0)
    .enablePositionalOptions()
    // commander's own errors ("error: required option ...") are printed by reportError, in
    // logml's shape; settings made here are inherited by every command registered below
    .configureOutput({ outputError: () => undefined })
    .addHelpText(
      'after',
      `
Examples:
  $ logml predict app.log                       score a file (a table on a terminal, NDJSON in a pipe)
  $ kubectl logs deploy/api | logml predict      score a pipe
  $ logml predict --follow /var/log/syslog       score lines as they arrive
  $ logml train --task level --data app.log --out level.onnx
  $ logml evaluate --model level.onnx --data labeled.csv
  $ logml templates app.log --summary
  $ logml db migrate && logml backfill --since 2h       (DATABASE_URL or --db URL)
  $ logml retrain -m level-custom@production --when-drift --since 7d
  $ logml serve --port 8080                      predictions over HTTP, models kept warm

Exit codes: 0 ok, 1 failure, 2 usage or input error, 3 a report gate was breached;
retrain: 4 registered but not promoted, 5 skipped (no drift), 6 skipped (another retrain running).
Run "logml <command> --help" for a command's options and examples.`,
    );
  program.exitOverride();
  registerPredict(program);
  registerTrain(program);
  registerEvaluate(program);
  registerTemplates(program);
  registerDb(program);
  registerRegister(program);
  registerModels(program);
  registerBackfill(program);
  registerReport(program);
  registerCompare(program);
  registerRetrain(program);
  registerServe(program);
  return program;
}

/** "logml db migrate": the command named by argv (program options and values skipped). */
export function commandPath(program: Command, args: readonly string[]): string {
  const names = [program.name()];
  let cmd = program;
  for (const a of args) {
    if (a.startsWith('-')) continue;
    const sub = cmd.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!sub) break;
    names.push(sub.name());
    cmd = sub;
  }
  return names.join(' ');
}

/**
 * Print an error as one line (plus a hint line), or with its stack under --debug; return the exit
 * code. `command` ("logml predict") names the command whose --help the hint of a usage error
 * from commander points to.
 */
export function reportError(err: unknown, debug: boolean, stderr: NodeJS.WritableStream = process.stderr, command = 'logml'): number {
  if (err instanceof CommanderError) {
    // --help and --version are not errors, but help shown because no command was given
    // ('commander.help', already printed) is a usage error
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
    if (err.code === 'commander.help' || err.code === 'commander.executeSubCommandAsync') return 2;
    const message = err.message.replace(/^error: /, '').split('\n')[0]!;
    stderr.write(`logml: ${message}\n`);
    stderr.write(`hint: run "${command} --help" for its options and examples\n`);
    return 2;
  }
  if (err instanceof LogmlError) {
    stderr.write(`logml: ${err.message}\n`);
    if (err.hint) stderr.write(`hint: ${err.hint}\n`);
    if (debug && err.stack) stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  stderr.write(`logml: unexpected error: ${message.split('\n')[0]}\n`);
  stderr.write(debug && err instanceof Error && err.stack ? `${err.stack}\n` : 'hint: run again with --debug for details, and report it if it persists\n');
  return 1;
}

export async function main(argv: string[]): Promise<void> {
  // before any worker starts: workers copy process.env; see src/core/model/session.ts
  process.env.ORT_DISABLE_TELEMETRY ??= '1';
  // --debug is accepted anywhere before a "--" (the commands do not declare it themselves)
  const end = argv.indexOf('--');
  const before = end < 0 ? argv : argv.slice(0, end);
  const debug = before.slice(2).includes('--debug');
  const args = [...argv.slice(0, 2), ...before.slice(2).filter((a) => a !== '--debug'), ...(end < 0 ? [] : argv.slice(end))];
  // `logml ... | head`: a reader that goes away is a normal end, not an error, wherever the
  // write came from (commander's help, a writer); the data paths also stop reading on it
  // any other write error (a full disk: `> /dev/full`) is one line and exit 1, whoever wrote
  let outputFailed: NodeJS.ErrnoException | null = null;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') outputFailed ??= err;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(args);
  } catch (err) {
    process.exitCode = reportError(err, debug, process.stderr, commandPath(program, args.slice(2)));
  }
  await new Promise((resolve) => setImmediate(resolve)); // a failed write reports its error on the next tick
  if (outputFailed && !process.exitCode) process.exitCode = reportError(new OutputError(outputFailed), debug);
}
