/**
 * @file `logml register MODEL.onnx`: store a model in the PostgreSQL registry. Wiring only; the
 * core (src/core/db/run.ts) is imported lazily inside the action.
 */
import { Option, type Command } from 'commander';
import { dbOption } from './db.js';
import { collect } from './shared.js';


export function registerRegister(program: Command): void {
  program
    .command('register')
    .description("store a model's bytes (with sha256) in the PostgreSQL registry under name@version")
    .argument('<model>', '.onnx model file written by logml train')
    .option('--name <name>', "model name (default: the model's own; must match it when the file has one)")
    .option('--model-version <version>', "model version (default: the model's own; must match it when the file has one)")
    .addOption(new Option('--version <version>', 'same as --model-version').hideHelp())
    .option('--alias <alias>', 'point this alias at the version, e.g. production (repeatable; default: none)', collect)
    .option('--eval <labeled.csv>', 'evaluate the model on this labeled CSV and record the figures in ml_model_metrics')
    .addOption(dbOption())
    .addHelpText(
      'after',
      `
Registering the same bytes again is a no-op; different bytes under an existing name@version are refused.
With --eval, the model is evaluated on the labeled sample first (as "logml evaluate" does) and the
figures are recorded in ml_model_metrics; metrics rows never come from anywhere else.

Examples:
  $ logml register level.onnx --alias staging --eval labeled.csv     labeled.csv: message,level
  $ logml register models/anomaly.onnx --alias production --db postgres://logml@db/app`,
    )
    .action(async (file: string, opts: { name?: string; modelVersion?: string; version?: string; alias?: string[]; eval?: string; db?: string }) => {
      const { runRegister } = await import('../core/db/run.js');
      await runRegister({ file, name: opts.name, version: opts.modelVersion ?? opts.version, aliases: opts.alias ?? [], evalCsv: opts.eval, db: opts.db }, { stdout: process.stdout, stderr: process.stderr });
    });
}
