/**
 * @file `logml backfill`: score every log in the PostgreSQL log table that has no prediction from
 * the chosen model versions. Wiring only; the core (src/core/db/run.ts) is imported lazily.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { addTableOptions, dbOption, positiveInt, tableSpec, type TableFlags } from './db.js';
import { collect } from './shared.js';

const WRITE_METHODS = ['insert', 'copy'] as const;

/** `2h`, `30m`, `7d`, `90s` before now, or a time PostgreSQL understands (passed on as is). */
export function parseSince(v: string, now = Date.now()): string {
  const m = /^(\d+)([smhd])$/.exec(v.trim());
  if (m) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[m[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now - Number(m[1]) * unit).toISOString();
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(v.trim())) throw new InvalidArgumentError(`expected an ISO time (2024-05-01T00:00:00Z) or a duration (30m, 2h, 7d), got "${v}"`);
  return v.trim();
}

const idValue = (v: string) => {
  if (v.trim() === '') throw new InvalidArgumentError('an id cannot be empty');
  return v;
};

interface Flags extends TableFlags {
  db?: string;
  model?: string[];
  since?: string;
  until?: string;
  from?: string;
  to?: string;
  workers: number;
  chunkSize: number;
  write: (typeof WRITE_METHODS)[number];
  retries: number;
  templates: boolean;
}

export function registerBackfill(program: Command): void {
  const cmd = program
    .command('backfill')
    .description('score every log in the PostgreSQL log table lacking a prediction from the chosen model versions, into ml_predictions')
    .option('-m, --model <file|name@alias>', 'model file or registry reference name@alias|name@version; repeat for a level and an anomaly model (default: the shipped models)', collect)
    .addOption(dbOption());
  addTableOptions(cmd)
    .option('--since <time>', 'only logs at or after this time (ISO, or 30m / 2h / 7d ago)', (v) => parseSince(v))
    .option('--until <time>', 'only logs at or before this time (ISO, or 30m / 2h / 7d ago)', (v) => parseSince(v))
    .option('--from <id>', 'only logs with id >= this', idValue)
    .option('--to <id>', 'only logs with id <= this', idValue)
    .option('--workers <n>', 'workers in this process, one connection each', positiveInt('--workers', 64), 1)
    .option('--chunk-size <n>', 'ids per chunk (one transaction each); concurrent processes must agree', positiveInt('--chunk-size', 1_000_000), 2000)
    .addOption(new Option('--write <method>', 'how rows are written: COPY (measured faster), or one INSERT ... ON CONFLICT per chunk').choices(WRITE_METHODS).default('copy'))
    .option('--retries <n>', 'reconnect attempts after a lost connection', positiveInt('--retries', 100), 5)
    .option('--no-templates', 'do not mine templates (template_id stays null; ml_templates untouched)')
    .addHelpText(
      'after',
      `
Safe to kill at any moment and to run several times at once (on one machine or many): chunks
are committed one by one, claimed with PostgreSQL advisory locks, and written with ON CONFLICT
DO NOTHING, so a re-run loses nothing and doubles nothing. Without a terminal on stderr it
prints one summary line, for cron. Each log's template id goes into template_id; the miner's
state is restored from ml_templates and saved back (merged with other processes' saves) every
20 chunks and at the end.

Examples:
  $ logml db migrate && logml backfill --db postgres://logml@db/app
  $ logml backfill --since 2h -m level-default@production -m anomaly-default@production
  $ logml backfill --table app.events --text-column body --time-column ts --workers 2
  */10 * * * *  logml backfill --since 1h     # crontab: one line per run`,
    )
    .action(async (opts: Flags) => {
      const [{ runBackfill }, { boundHeapGrowth }] = await Promise.all([import('../core/db/run.js'), import('../core/pipeline/heap.js')]);
      boundHeapGrowth();
      await runBackfill(
        {
          db: opts.db,
          models: opts.model ?? [],
          table: tableSpec(opts),
          range: { since: opts.since, until: opts.until, fromId: opts.from, toId: opts.to },
          workers: opts.workers,
          chunkSize: opts.chunkSize,
          write: opts.write,
          retries: opts.retries,
          templates: opts.templates,
        },
        { stdout: process.stdout, stderr: process.stderr },
      );
    });
}
