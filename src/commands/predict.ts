/**
 * @file `logml predict`: wiring only. Parses options into PredictOptions, loads the models,
 * runs the core pipeline on files or stdin, and reports skipped records on stderr.
 */
import { Command, Option } from 'commander';
import { InterruptedError, UsageError } from '../core/errors.js';
import type { Level } from '../core/types.js';
import { parseSince } from './backfill.js';
import { addTableOptions, splitDbArg, tableSpec, type TableFlags } from './db.js';
import { collect, defaultModelPaths, levelArg, note, noteSkipped, positiveInt, recordsProgress, stopSignal, unitInterval } from './shared.js';

interface PredictFlags {
  follow?: boolean;
  inputFormat: string;
  format?: 'ndjson' | 'table' | 'csv' | 'json';
  onlyAnomalies?: boolean;
  minLevel?: Level;
  model?: string[];
  batchSize: number;
  maxLineBytes: number;
  templates: boolean;
  templateState?: string;
  templateDb?: string | true;
  params?: boolean;
  db?: string | true;
  store?: boolean;
  since?: string;
  until?: string;
  anomalyThreshold?: number;
  baseline?: string[];
  from?: string;
  to?: string;
}

export function registerPredict(program: Command): void {
  const cmd = program
    .command('predict')
    .summary('score log files or a pipe: level, anomaly score')
    .description('Score log records from files (plain or .gz), standard input, or a followed file, with ONNX models.')
    .argument('[file...]', 'log files; - or nothing (with a pipe) reads standard input')
    .option('-f, --follow', 'keep reading the file as it grows, like tail -f (Ctrl-C to stop)')
    .addOption(new Option('--input-format <format>', 'line format').choices(['auto', 'plain', 'json', 'logfmt', 'syslog', 'klog', 'header']).default('auto'))
    .addOption(new Option('--format <format>', 'output format (default: table on a terminal, ndjson otherwise)').choices(['ndjson', 'table', 'csv', 'json']))
    .option('--only-anomalies', 'write only records flagged as anomalies')
    .option('--min-level <level>', 'write only records whose predicted level is at least this (TRACE..FATAL)', levelArg)
    .option('-m, --model <path>', 'model file (.onnx), or with --db a registry reference name@alias|name@version; repeat for a level and an anomaly model (default: the shipped models)', collect)
    .option('--anomaly-threshold <score>', 'flag records whose anomaly_score is at least this, 0..1 (default: the anomaly model\'s threshold, 0.5 for the shipped one)', unitInterval('--anomaly-threshold'))
    .option('--baseline <file...>', 'logs of a normal period: their kinds of line count as already seen, so only what is new to them scores as novel')
    .option('--no-templates', 'do not mine templates (no template_id / template fields)')
    .option('--params', 'add each record\'s template parameter values (`params`: the text at each <*>, in template order)')
    .option('--template-state <file>', 'template miner state: loaded if it exists, saved at the end, so template ids stay stable across runs')
    .option('--template-db [url]', 'template miner state in PostgreSQL table ml_templates (shared by every host; needs `logml db migrate`): URL, else the --db URL, else DATABASE_URL / PG* variables; not with --template-state')
    .option('--batch-size <n>', 'records per model call', positiveInt('--batch-size'), 4096)
    .option('--db [url]', 'score rows of the PostgreSQL log table instead of files (URL, else DATABASE_URL, else PG* variables)')
    .option('--from <id>', 'with --db: only rows with id >= this')
    .option('--to <id>', 'with --db: only rows with id <= this')
    .option('--since <time>', 'with --db: only rows at or after this time (ISO, or 30m / 2h / 7d ago)', (v) => parseSince(v))
    .option('--until <time>', 'with --db: only rows at or before this time (ISO, or 30m / 2h / 7d ago)', (v) => parseSince(v))
    .option('--store', 'with --db: return stored predictions, score and store the missing ones (needs `logml db migrate`)')
    .option('--max-line-bytes <n>', 'longer lines are skipped and counted', positiveInt('--max-line-bytes'), 1024 * 1024)
    .addHelpText(
      'after',
      `
Examples:
  $ logml predict app.log                               a table on a terminal
  $ logml predict app.log.gz --format csv > scored.csv
  $ kubectl logs deploy/api | logml predict --only-anomalies
  $ logml predict -f /var/log/syslog --min-level WARN
  $ logml predict today.log --baseline last-week.log --only-anomalies   new kinds of trouble only
  $ logml predict app.log -m my-level.onnx -m my-anomaly.onnx
  $ logml predict --db postgres://logml@db/app --since 2h --store
  $ logml predict app.log --template-db postgres://logml@db/app   template ids shared with every host
  $ logml predict --db --from 1000 --to 2000 --table app.events --text-column body -m level-default@production`,
    );
  addTableOptions(cmd);
  cmd.action(async (args: string[], flags: PredictFlags & TableFlags) => {
      let files = args;
      if (flags.params && !flags.templates) throw new UsageError('--params goes with templates, not with --no-templates', 'parameters are read from each record\'s template: drop --no-templates');
      if (flags.templateDb !== undefined) {
        if (!flags.templates) throw new UsageError('--template-db goes with templates, not with --no-templates');
        if (flags.templateState) throw new UsageError('give either --template-state FILE or --template-db, not both', 'the miner state lives in one place: a file, or the ml_templates table');
        const split = splitDbArg(flags.templateDb, files);
        files = split.files;
        flags.templateDb = split.db ?? true;
      }
      if (flags.db !== undefined) return predictFromDatabase(files, flags);
      if (flags.store || flags.from || flags.to || flags.since || flags.until) throw new UsageError('--store, --from, --to, --since and --until go with --db', 'add --db (or --db URL) to score rows of a PostgreSQL table');
      const inputs = files.length > 0 ? files : ['-'];
      if (files.length === 0 && process.stdin.isTTY) {
        throw new UsageError('no input: name a log file or pipe logs in', 'e.g. `logml predict app.log` or `cat app.log | logml predict`');
      }
      if (inputs.filter((p) => p === '-').length > 1) throw new UsageError('standard input (-) can be named only once');
      const modelPaths = flags.model ?? defaultModelPaths();
      if (modelPaths.length === 0) throw new UsageError('no model: the shipped models are missing', 'pass --model MODEL.onnx, or run `npm run train:default`');
      // onnxruntime loads on the scoring thread only: this thread never maps it
      const [{ readBundle, readModelFile }, { createThreadedScorer }, { runPredict, checkInputs, observeBaseline }, { boundHeapGrowth }] = await Promise.all([
        import('../core/model/bundle.js'),
        import('../core/model/threaded-scorer.js'),
        import('../core/pipeline/predict.js'),
        import('../core/pipeline/heap.js'),
      ]);
      boundHeapGrowth();
      await checkInputs(inputs); // input errors come before the models load
      // checked here, loaded by the scoring thread from the path: this thread keeps no copy of the models' bytes
      const tasks = modelPaths.map((path) => readBundle(readModelFile(path), path).meta.task);
      const sources = modelPaths.map((path) => ({ path }));
      if (new Set(tasks).size !== tasks.length) throw new UsageError(`two models for the same task (${tasks.join(', ')})`, 'give at most one level model and one anomaly model');
      // scoring runs on a worker thread, so reading, parsing and writing use the other core
      const scorer = await createThreadedScorer(sources, flags.anomalyThreshold !== undefined ? { anomalyThreshold: flags.anomalyThreshold } : {});
      let templates: Awaited<ReturnType<typeof openTemplateStage>> | null;
      try {
        templates = flags.templates ? await openTemplateStage(flags) : null;
        if (flags.baseline) {
          await checkInputs(flags.baseline);
          const n = await observeBaseline(flags.baseline, flags.inputFormat as never, scorer, flags.batchSize, templates?.stage ?? null);
          note(`logml: baseline: ${n} records from ${flags.baseline.join(', ')} count as seen`);
        }
      } catch (err) {
        await scorer.close(); // else the scoring thread keeps the process alive
        throw err;
      }
      const stop = stopSignal();
      const output = flags.format ?? (process.stdout.isTTY ? 'table' : 'ndjson');
      const progress = recordsProgress('predict', { follow: Boolean(flags.follow) });
      try {
        const summary = await runPredict(
          {
            inputs,
            inputFormat: flags.inputFormat as never,
            follow: Boolean(flags.follow),
            output,
            onlyAnomalies: Boolean(flags.onlyAnomalies),
            minLevel: flags.minLevel ?? null,
            batchSize: flags.batchSize,
            maxLineBytes: flags.maxLineBytes,
            onProgress: progress.onProgress,
            signal: stop.signal,
            templates: templates?.stage ?? null,
          },
          scorer,
          { stdout: process.stdout, stdin: process.stdin },
        ).finally(progress.done);
        noteSkipped(summary.skipped, summary.records, 'scored');
        const signal = stop.received();
        if (signal && !flags.follow) throw new InterruptedError(signal);
        if (summary.emptyInputs.length === inputs.length) note(`logml: ${inputs.length === 1 ? 'standard input is' : 'the inputs are'} empty: nothing to score`);
        else for (const empty of summary.emptyInputs) note(`logml: warning: ${empty === '-' ? 'standard input' : empty} is empty`);
      } finally {
        stop.release();
        await scorer.close();
        await templates?.save();
      }
    });
}

/** The template stage, its state in --template-state FILE, in ml_templates (--template-db), or nowhere. */
async function openTemplateStage(flags: PredictFlags) {
  const [{ openMiner, templateStage, PREDICT_MINER_LIMITS }, { FileStateStore }] = await Promise.all([import('../core/pipeline/templates.js'), import('../core/templates/index.js')]);
  if (flags.templateDb === undefined) {
    const { miner, save } = await openMiner(flags.templateState ? new FileStateStore(flags.templateState) : null, PREDICT_MINER_LIMITS);
    return { stage: templateStage(miner, { params: flags.params }), save };
  }
  const url = typeof flags.templateDb === 'string' ? flags.templateDb : typeof flags.db === 'string' ? flags.db : undefined;
  const pg = await (await import('../core/db/template-store.js')).openPgStateStore(url);
  try {
    const { miner, save } = await openMiner(pg.store, PREDICT_MINER_LIMITS);
    return { stage: templateStage(miner, { params: flags.params }), save: () => save().finally(pg.close) };
  } catch (err) {
    await pg.close();
    throw err;
  }
}

async function predictFromDatabase(files: string[], flags: PredictFlags & TableFlags): Promise<void> {
  if (files.length > 0) throw new UsageError('give either files or --db, not both', 'to score a table: logml predict --db URL --since 2h');
  const [{ runPredictDb }, { boundHeapGrowth }] = await Promise.all([import('../core/db/run.js'), import('../core/pipeline/heap.js')]);
  boundHeapGrowth();
  const templates = flags.templates ? await openTemplateStage(flags) : null;
  const progress = recordsProgress('predict', { follow: false });
  try {
    await runPredictDb(
      {
        db: flags.db === true ? undefined : flags.db,
        models: flags.model ?? [],
        table: tableSpec(flags),
        range: { fromId: flags.from, toId: flags.to, since: flags.since, until: flags.until },
        store: Boolean(flags.store),
        batchSize: flags.batchSize,
        follow: false,
        output: flags.format ?? (process.stdout.isTTY ? 'table' : 'ndjson'),
        onlyAnomalies: Boolean(flags.onlyAnomalies),
        minLevel: flags.minLevel ?? null,
        templates: templates?.stage ?? null,
        onProgress: progress.onProgress,
      },
      process.stdout,
    );
  } finally {
    progress.done();
    await templates?.save();
  }
}
