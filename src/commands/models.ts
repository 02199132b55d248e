/**
 * @file `logml models list | show | promote`: the PostgreSQL model registry. Wiring only; the
 * core (src/core/db/run.ts) is imported lazily inside each action.
 */
import { Option, type Command } from 'commander';
import { dbOption } from './db.js';

const FORMATS = ['table', 'ndjson'] as const;
type Format = (typeof FORMATS)[number];

function formatOption(): Option {
  return new Option('--format <format>', 'output format (default: table on a terminal, ndjson otherwise)').choices(FORMATS);
}

const pickFormat = (f: Format | undefined): Format => f ?? (process.stdout.isTTY ? 'table' : 'ndjson');
const io = () => ({ stdout: process.stdout, stderr: process.stderr });

export function registerModels(program: Command): void {
  const models = program
    .command('models')
    .description('list, inspect, download, promote and archive models in the PostgreSQL registry')
    .addHelpText('after', '\nExamples:\n  $ logml models list\n  $ logml models show level-default@production\n  $ logml models promote level-default@0.1.0 --alias production');
  models
    .command('list')
    .description('list registered models with their task, aliases and latest measured metrics')
    .addOption(formatOption())
    .option('--all', 'archived versions too')
    .addOption(dbOption())
    .addHelpText('after', '\nExample:\n  $ logml models list --db postgres://logml@db/app')
    .action(async (opts: { format?: Format; db?: string; all?: boolean }) => {
      const { runModelsList } = await import('../core/db/run.js');
      await runModelsList({ db: opts.db, format: pickFormat(opts.format), all: Boolean(opts.all) }, io());
    });
  models
    .command('archive')
    .description('archive a version: hidden from "models list", never promoted, still loadable by its version')
    .argument('<ref>', 'name@version (or name@alias) to archive')
    .option('--restore', 'undo: the version is listed and promotable again')
    .addOption(dbOption())
    .addHelpText('after', '\nExamples:\n  $ logml models archive level-custom@1\n  $ logml models archive level-custom@1 --restore')
    .action(async (ref: string, opts: { restore?: boolean; db?: string }) => {
      const { runModelsArchive } = await import('../core/db/run.js');
      await runModelsArchive({ db: opts.db, ref, restore: Boolean(opts.restore) }, io());
    });
  models
    .command('show')
    .description("show a model's metadata, aliases and metrics history")
    .argument('<ref>', 'name@version or name@alias')
    .addOption(formatOption())
    .addOption(dbOption())
    .addHelpText('after', '\nExamples:\n  $ logml models show level-default@production\n  $ logml models show anomaly-default@0.1.0 --format ndjson')
    .action(async (ref: string, opts: { format?: Format; db?: string }) => {
      const { runModelsShow } = await import('../core/db/run.js');
      await runModelsShow({ db: opts.db, ref, format: pickFormat(opts.format) }, io());
    });
  models
    .command('download')
    .description('write a registered model to a file (its sha256 checked), to use it offline or elsewhere')
    .argument('<ref>', 'name@version or name@alias')
    .requiredOption('-o, --out <model.onnx>', 'where to write the model')
    .addOption(dbOption())
    .addHelpText('after', '\nExample:\n  $ logml models download level-default@production -o level.onnx')
    .action(async (ref: string, opts: { out: string; db?: string }) => {
      const { runModelsDownload } = await import('../core/db/run.js');
      await runModelsDownload({ db: opts.db, ref, out: opts.out }, io());
    });
  models
    .command('promote')
    .description('point an alias (e.g. production) at a registered version')
    .argument('<ref>', 'name@version (or name@alias) to promote')
    .requiredOption('--alias <alias>', 'alias to move, e.g. production')
    .addOption(dbOption())
    .addHelpText('after', '\nExample:\n  $ logml models promote level-custom@2 --alias production')
    .action(async (ref: string, opts: { alias: string; db?: string }) => {
      const { runModelsPromote } = await import('../core/db/run.js');
      await runModelsPromote({ db: opts.db, ref, alias: opts.alias }, io());
    });
}
