/**
 * @file `logml db migrate`, and the option declarations every database command shares (--db and
 * the log table's name and columns). Wiring only: the core (src/core/db/run.ts) is imported
 * lazily inside the action, so `logml --help` never loads pg.
 */
import { Command, InvalidArgumentError, Option } from 'commander';

/**
 * `--db [url]`, as in every command that talks to PostgreSQL: a URL, or `--db` alone / no --db
 * for DATABASE_URL, then the PG* variables (resolveConnection; '' means "not given"). A value
 * that is not a URL is refused rather than taken for one (`--db level@1` ate an argument).
 */
export function dbOption(): Option {
  // no .env(): the connection code reads DATABASE_URL itself, so errors name where the URL came from
  return new Option('--db [url]', 'PostgreSQL connection URL; without it (or with --db alone): DATABASE_URL, else PGHOST/PGUSER/PGPASSWORD/PGDATABASE...')
    .preset('')
    .argParser((v: string) => {
      if (v !== '' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) throw new InvalidArgumentError(`--db takes a connection URL (postgres://user@host/db), got "${v}"; put --db after the arguments, or give its URL`);
      return v;
    });
}

/**
 * An optional `--db [url]` value: commander gives the next argument to the option, so in
 * `logml templates --db app.log` the "URL" is really an input. A value that is not a connection
 * URL (scheme://...) goes back to the inputs, and the option means "DATABASE_URL / PG*".
 * @example splitDbArg('app.log', []) // { db: undefined, files: ['app.log'] }
 */
export function splitDbArg(value: string | true, files: string[]): { db: string | undefined; files: string[] } {
  if (value === true) return { db: undefined, files };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return { db: value, files };
  return { db: undefined, files: [value, ...files] };
}

export interface TableFlags {
  table: string;
  idColumn: string;
  textColumn: string;
  levelColumn: string;
  timeColumn: string;
}

/** The log table's name and columns, with the defaults logs(id, message, level, created_at). */
export function addTableOptions(cmd: Command): Command {
  return cmd
    .option('--table <name>', 'log table to read (schema.table allowed); only ever read', 'logs')
    .option('--id-column <name>', 'unique id column of the log table', 'id')
    .option('--text-column <name>', 'message column', 'message')
    .option('--level-column <name>', 'level column ("" if none)', 'level')
    .option('--time-column <name>', 'time column, for --since/--until ("" if none)', 'created_at');
}

/** The typed table spec from the flags. */
export function tableSpec(f: TableFlags): { table: string; idColumn: string; textColumn: string; levelColumn: string | null; timeColumn: string | null } {
  return { table: f.table, idColumn: f.idColumn, textColumn: f.textColumn, levelColumn: f.levelColumn || null, timeColumn: f.timeColumn || null };
}

export { positiveInt } from './shared.js';

export function registerDb(program: Command): void {
  const db = program
    .command('db')
    .description('manage the logml tables in PostgreSQL')
    .addHelpText('after', '\nExample:\n  $ logml db migrate --db postgres://logml@localhost/app');
  db.command('migrate')
    .description('create or upgrade the logml tables (idempotent; safe to run concurrently)')
    .addOption(dbOption())
    .addHelpText(
      'after',
      `
Examples:
  $ logml db migrate --db postgres://logml@db.internal/app
  $ DATABASE_URL=postgres://logml@localhost/app logml db migrate`,
    )
    .action(async (opts: { db?: string }) => {
      const { runMigrate } = await import('../core/db/run.js');
      await runMigrate({ db: opts.db }, { stdout: process.stdout, stderr: process.stderr });
    });
}
