/**
 * @file `logml templates`: wiring only. Mines templates from files or stdin with the core
 * template pipeline; `--state FILE` or `--db [URL]` (table ml_templates) keeps ids stable across
 * runs.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { InterruptedError, UsageError } from '../core/errors.js';
import { splitDbArg } from './db.js';
import { noteSkipped, positiveInt, recordsProgress, stopSignal } from './shared.js';

interface TemplatesFlags {
  follow?: boolean;
  inputFormat: string;
  format?: 'ndjson' | 'csv' | 'table' | 'json';
  summary?: boolean;
  state?: string;
  db?: string | true;
  rules?: string;
  similarity?: number;
  maxClusters?: number;
  batchSize: number;
  params?: boolean;
  since?: string;
  until?: string;
  level?: string;
  template?: string;
  grep?: string;
}

function unitInterval(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 1) throw new InvalidArgumentError(`--similarity must be a number in (0, 1], got "${v}"`);
  return n;
}

export function registerTemplates(program: Command): void {
  program
    .command('templates')
    .summary('group log records into templates (log clustering), with stable ids')
    .description('Mine templates from files or standard input: each record gets the id and text of its event template (parameters as <*>). Headers are split off by the format parser first; multi-line records are mined as one. Files are mined first and written on a second read, so every record carries its template\'s final id; standard input and --follow are written as records arrive.')
    .argument('[file...]', 'log files; - or nothing (with a pipe) reads standard input')
    .option('-f, --follow', 'keep reading the file as it grows')
    .addOption(new Option('--input-format <format>', 'line format').choices(['auto', 'plain', 'json', 'logfmt', 'syslog', 'klog', 'header']).default('auto'))
    .addOption(new Option('--format <format>', 'output format (default: table on a terminal, ndjson otherwise)').choices(['ndjson', 'csv', 'table', 'json']))
    .option('--summary', 'one row per template: count, first and last seen, an example')
    .option('--state <file>', 'load the miner state from this file (if it exists) and save it back: ids stay stable across runs')
    .option('--db [url]', 'keep the miner state in PostgreSQL (table ml_templates, shared by every host using the database; needs `logml db migrate`): URL, else DATABASE_URL, else PG* variables; not with --state')
    .option('--rules <file>', 'masking rules as JSON: [{"name", "regex", "replacement"}] (default: the built-in rules)')
    .option('--similarity <s>', 'similarity threshold for joining a template, in (0, 1]', unitInterval)
    .option('--max-clusters <n>', 'templates kept at most (least recently seen are evicted)', positiveInt('--max-clusters'))
    .option('--batch-size <n>', 'records per batch', positiveInt('--batch-size'), 4096)
    .option('--params', 'add each record\'s parameter values (`params`: the text at each <*>, in template order)')
    .option('--since <time>', 'only records at or after this time (records without a time are left out)')
    .option('--until <time>', 'only records before this time (records without a time are left out)')
    .option('--level <levels>', 'only records with one of these explicit levels: ERROR,FATAL, or WARN+ for WARN and above')
    .option('--template <id>', 'only records of this template id')
    .option('--grep <regex>', 'only records whose message matches this regular expression')
    .addHelpText(
      'after',
      `
Examples:
  $ logml templates app.log --summary
  $ logml templates app.log --level WARN+ --since 2024-03-05T10:00 --summary
  $ logml templates app.log --params --template 9f0c2a51d3b7e806
  $ logml templates app.log --state templates.json --format csv > ids.csv
  $ logml templates app.log --db postgres://logml@db/app --summary
  $ kubectl logs deploy/api | logml templates --summary --format json`,
    )
    .action(async (args: string[], flags: TemplatesFlags) => {
      const { db, files } = flags.db === undefined ? { db: undefined, files: args } : splitDbArg(flags.db, args);
      if (flags.db !== undefined && flags.state) throw new UsageError('give either --state FILE or --db, not both', 'the miner state lives in one place: a file, or the ml_templates table');
      const inputs = files.length > 0 ? files : ['-'];
      if (files.length === 0 && process.stdin.isTTY) throw new UsageError('no input: name a log file or pipe logs in', 'e.g. `logml templates app.log --summary`');
      const [{ runTemplates, openMiner }, { checkInputs }, templates, { buildRecordFilter }] = await Promise.all([
        import('../core/pipeline/templates.js'),
        import('../core/pipeline/records.js'),
        import('../core/templates/index.js'),
        import('../core/pipeline/record-filter.js'),
      ]);
      const filter = buildRecordFilter(flags);
      (await import('../core/pipeline/heap.js')).boundHeapGrowth();
      await checkInputs(inputs);
      const minerOptions = {
        ...(flags.rules ? { maskingRules: await templates.loadMaskingRules(flags.rules) } : {}),
        ...(flags.similarity !== undefined ? { similarityThreshold: flags.similarity } : {}),
        ...(flags.maxClusters !== undefined ? { maxClusters: flags.maxClusters } : {}),
      };
      const pg = flags.db !== undefined ? await (await import('../core/db/template-store.js')).openPgStateStore(db) : null;
      let opened;
      try {
        opened = await openMiner(pg?.store ?? (flags.state ? new templates.FileStateStore(flags.state) : null), minerOptions);
      } catch (err) {
        await pg?.close();
        throw err;
      }
      const { miner, save } = opened;
      const stop = stopSignal();
      const progress = recordsProgress('templates', { follow: Boolean(flags.follow), quietStdout: Boolean(flags.summary) });
      try {
        const summary = await runTemplates(
          {
            inputs,
            inputFormat: flags.inputFormat as never,
            follow: Boolean(flags.follow),
            output: flags.format ?? (process.stdout.isTTY ? 'table' : 'ndjson'),
            summary: Boolean(flags.summary),
            batchSize: flags.batchSize,
            signal: stop.signal,
            params: Boolean(flags.params),
            filter,
            onProgress: progress.onProgress,
          },
          miner,
          { stdout: process.stdout, stdin: process.stdin },
        ).finally(progress.done);
        noteSkipped(summary.skipped, summary.records, 'mined');
        const signal = stop.received();
        if (signal && !flags.follow) throw new InterruptedError(signal);
      } finally {
        stop.release();
        try {
          await save();
        } finally {
          await pg?.close();
        }
      }
    });
}
