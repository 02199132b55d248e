/**
 * @file `logml train`: wiring only. Loads labeled data (files with --data, or a window of the
 * PostgreSQL log table with --db), runs the core trainer, writes the ONNX bundle atomically
 * (temp file + rename) and prints what was measured.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../core/errors.js';
import { parseSince } from './backfill.js';
import { dbOption } from './db.js';
import { fraction, note, noteSkipped, positiveInt } from './shared.js';

/** Rows `train --db` reads at most (the newest), so memory is bounded whatever the window. */
export const DEFAULT_DB_TRAIN_LIMIT = 200_000;

interface DbTrainFlags {
  db?: string;
  table?: string;
  idColumn?: string;
  timeColumn?: string;
  labelsTable?: string;
  since?: string;
  until?: string;
  from?: string;
  to?: string;
  limit?: number;
  unlabeledNormal?: boolean;
}

interface TrainFlags extends DbTrainFlags {
  task: 'level' | 'anomaly';
  data?: string[];
  out: string;
  name?: string;
  modelVersion?: string;
  seed: number;
  holdout: number;
  epochs?: number;
  base?: string;
  l2: number;
  unsupervised?: boolean;
  noveltyQuantile: number;
  textColumn?: string;
  levelColumn?: string;
  labelColumn?: string;
  groupColumn?: string;
  inputFormat: string;
  format?: 'table' | 'json';
}

/**
 * The default version: a hash of the data files' bytes and every option that changes the model,
 * so two trainings on different data never get the same name@version (the registry would
 * refuse the second), and the same data and options give the same version (and the same bytes).
 */
async function defaultVersion(flags: TrainFlags & { data: string[] }): Promise<string> {
  const [{ createHash }, { createReadStream }] = await Promise.all([import('node:crypto'), import('node:fs')]);
  const h = createHash('sha256');
  const { data, out: _out, format: _format, name: _name, modelVersion: _v, ...options } = flags;
  h.update(JSON.stringify(Object.entries(options).sort()));
  for (const file of data) {
    h.update(`\0${file.length}\0`);
    for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  }
  return `1-${h.digest('hex').slice(0, 8)}`;
}

type HeldOut = { n?: number; split?: string; perClass?: Record<string, { support?: number }>; tp?: number; fp?: number; tn?: number; fn?: number };

/** A warning when the held-out part cannot measure the model: it holds a single class. */
export function heldOutWarning(task: 'level' | 'anomaly', h: HeldOut | undefined): string | null {
  if (!h || !h.n) return null;
  const where = `the held-out part (${h.split ?? `${h.n} records`})`;
  const fix = 'shuffle the data, or give a larger --holdout';
  if (task === 'level') {
    const present = Object.entries(h.perClass ?? {}).filter(([, c]) => (c.support ?? 0) > 0).map(([k]) => k);
    return present.length === 1 ? `${where} holds only ${present[0]} records: its figures say nothing about the other levels; ${fix}` : null;
  }
  const positives = (h.tp ?? 0) + (h.fn ?? 0);
  const negatives = (h.tn ?? 0) + (h.fp ?? 0);
  if (positives === 0) return `${where} holds no anomalies: its recall and F1 measure nothing; ${fix}`;
  if (negatives === 0) return `${where} holds only anomalies: its false-positive rate measures nothing; ${fix}`;
  return null;
}

function positiveNumber(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number >= 0, got "${v}"`);
    return n;
  };
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .summary('train a level or anomaly model from your logs, write ONNX')
    .description(
      'Train a model on labeled data and write it as one ONNX file with its metadata (feature spec, data fingerprint, training and held-out metrics, reference profile). ' +
        'The last --holdout share of the data (input order: time order for logs) is kept out of training and the model is measured on it.',
    )
    .addOption(new Option('-t, --task <task>', 'what to learn').choices(['level', 'anomaly']).makeOptionMandatory())
    .option('-d, --data <file...>', 'labeled CSV files (header row) or log files (their explicit level is the label)')
    .addOption(Object.assign(dbOption(), { description: 'train on a window of the PostgreSQL log table instead of --data: URL, else DATABASE_URL, else PG* variables' }))
    .requiredOption('-o, --out <model.onnx>', 'where to write the model')
    .option('--name <name>', 'model name (default: <task>-custom)')
    .option('--model-version <version>', 'model version (default: 1-<8 hex of a hash of the data and these options>, so trainings on other data or options never share a name@version, and the same ones give the same bytes)')
    .option('--seed <n>', 'random seed: same data and seed give the same bytes', positiveInt('--seed'), 42)
    .option('--holdout <share>', 'share of the data kept out for evaluation (0 to train on all)', fraction('--holdout'), 0.2)
    .option('--base <model.onnx>', 'level: fine-tune this model (e.g. models/level.onnx) on your lines instead of training from nothing: it keeps what it knows and learns your vocabulary')
    .option('--epochs <n>', 'passes over the data (default: 12; 4 with --base)', positiveInt('--epochs'))
    .option('--l2 <lambda>', 'L2 regularisation (default: 1e-4 for level, 1e-6 for anomaly)', positiveNumber('--l2'))
    .option('--unsupervised', 'anomaly: ignore labels, learn what normal looks like (novelty detection)')
    .option('--novelty-quantile <q>', 'anomaly, unsupervised: training-score quantile at the threshold', fraction('--novelty-quantile'), 0.995)
    .option('--text-column <name>', 'CSV column with the message (with --db: the log table\'s, default message)')
    .option('--level-column <name>', 'CSV column with the level (with --db: the log table\'s, default level; "" if none)')
    .option('--label-column <name>', 'CSV column with the anomaly label (1/0, true/false, - for normal)')
    .option('--group-column <name>', 'CSV column naming the source/system; sources are weighted equally')
    .addOption(new Option('--input-format <format>', 'line format of log files').choices(['auto', 'plain', 'json', 'logfmt', 'syslog', 'klog', 'header']).default('auto'))
    .option('--table <name>', 'with --db: log table to read (schema.table allowed; default logs); only ever read')
    .option('--id-column <name>', 'with --db: unique id column, in time order (default id)')
    .option('--time-column <name>', 'with --db: time column, for --since/--until (default created_at; "" if none)')
    .option('--labels-table <name>', 'with --db: labels table (log_id, is_anomaly, level; default ml_labels, see docs/db.md)')
    .option('--since <time>', 'with --db: logs at or after this time (ISO, or 30m / 2h / 7d ago)', (v) => parseSince(v))
    .option('--until <time>', 'with --db: logs at or before this time (ISO, or 30m / 2h / 7d ago)', (v) => parseSince(v))
    .option('--from <id>', 'with --db: logs with id >= this')
    .option('--to <id>', 'with --db: logs with id <= this')
    .option('--limit <n>', `with --db: read at most this many logs, the newest (default ${DEFAULT_DB_TRAIN_LIMIT.toLocaleString('en-US')})`, positiveInt('--limit'))
    .option('--unlabeled-normal', 'with --db, anomaly: logs without a label in the labels table count as normal (default: only labeled logs are read)')
    .addOption(new Option('--format <format>', 'summary format (default: table on a terminal, json otherwise)').choices(['table', 'json']))
    .addHelpText(
      'after',
      `
Examples:
  $ logml train --task level --data app.log --out level.onnx
  $ logml train --task level --data app.log --base models/level.onnx --out my-level.onnx   fine-tune the shipped model
  $ logml train --task level --data export.csv --text-column msg --level-column severity --out level.onnx
  $ logml train --task anomaly --data bgl.csv --text-column Content --label-column Label --out anomaly.onnx
  $ logml train --task anomaly --unsupervised --data normal-week.log --out novelty.onnx
  $ logml train --task level --db --since 7d --out level.onnx                       from the log table
  $ logml train --task anomaly --db postgres://logml@db/app --since 30d --labels-table ml_labels --out anomaly.onnx`,
    )
    .action(async (flags: TrainFlags) => {
      const { loadBaseLevelModel } = await import('../core/train/index.js');
      const { trainTask } = await import('../core/train/run.js');
      if (flags.base && flags.task !== 'level') throw new UsageError('--base fine-tunes level models only', 'drop --base, or use --task level');
      const dbMode = flags.db !== undefined;
      if (dbMode && flags.data) throw new UsageError('give either --data files or --db, not both', 'train from files: --data app.log; from the log table: --db URL --since 7d');
      if (!dbMode && !flags.data) throw new UsageError('nothing to train on: give --data FILE... or --db', 'e.g. logml train --task level --data app.log --out level.onnx, or --db --since 7d');
      if (!dbMode) {
        const used = (['table', 'idColumn', 'timeColumn', 'labelsTable', 'since', 'until', 'from', 'to', 'limit', 'unlabeledNormal'] as const).filter((k) => flags[k] !== undefined);
        if (used.length) throw new UsageError(`${used.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} go${used.length === 1 ? 'es' : ''} with --db`, 'add --db (or --db URL) to train on rows of the PostgreSQL log table');
      } else if (flags.groupColumn || flags.labelColumn) throw new UsageError('--group-column and --label-column are CSV columns; with --db, anomaly labels come from --labels-table', 'see docs/db.md for ml_labels');
      if (flags.unlabeledNormal && flags.task !== 'anomaly') throw new UsageError('--unlabeled-normal goes with --task anomaly');
      const base = flags.base ? loadBaseLevelModel(flags.base) : undefined;
      const { writeFileAtomic } = await import('../core/io/atomic-write.js');
      const { createRequire } = await import('node:module');
      const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
      let records;
      let description: string;
      let modelVersion = flags.modelVersion;
      if (dbMode) {
        const { loadDbTrainData } = await import('../core/db/train-data.js');
        const { versionOfRecords } = await import('../core/train/run.js');
        const limit = flags.limit ?? DEFAULT_DB_TRAIN_LIMIT;
        const loaded = await loadDbTrainData({
          db: flags.db || undefined,
          table: {
            table: flags.table ?? 'logs',
            idColumn: flags.idColumn ?? 'id',
            textColumn: flags.textColumn ?? 'message',
            levelColumn: flags.levelColumn === undefined ? 'level' : flags.levelColumn || null,
            timeColumn: flags.timeColumn === undefined ? 'created_at' : flags.timeColumn || null,
          },
          range: { since: flags.since, until: flags.until, fromId: flags.from, toId: flags.to },
          task: flags.task,
          labelsTable: flags.labelsTable ?? 'ml_labels',
          unlabeledNormal: Boolean(flags.unlabeledNormal),
          unsupervised: Boolean(flags.unsupervised),
          limit,
        });
        if (loaded.capped) note(`logml: more than --limit ${limit} logs in the window: training on the newest ${limit}`);
        records = loaded.records;
        description = `logml train --task ${flags.task} --db on ${loaded.description}`;
        if (modelVersion === undefined) {
          const { db: _db, out: _out, format: _format, name: _name, modelVersion: _v, since: _s, until: _u, ...options } = flags;
          modelVersion = versionOfRecords(records, options);
        }
      } else {
        const { loadDatasets } = await import('../core/train/index.js');
        const data = flags.data!;
        const datasets = await loadDatasets(data, { text: flags.textColumn, level: flags.levelColumn, label: flags.labelColumn, group: flags.groupColumn }, flags.inputFormat as never);
        for (const [k, d] of datasets.entries()) if (d.skipped) noteSkipped(d.skipped, d.records.length, `${data[k]}: read`);
        records = datasets.flatMap((d) => d.records);
        description = `logml train --task ${flags.task} on ${data.join(', ')}`;
        modelVersion ??= await defaultVersion({ ...flags, data });
      }
      const result = trainTask(records, {
        task: flags.task,
        name: flags.name ?? `${flags.task}-custom`,
        version: modelVersion,
        seed: flags.seed,
        holdout: flags.holdout,
        epochs: flags.epochs,
        l2: flags.l2,
        base,
        unsupervised: Boolean(flags.unsupervised),
        noveltyQuantile: flags.noveltyQuantile,
        description,
        logmlVersion: version,
      });
      await writeFileAtomic(flags.out, result.bytes);
      const m = result.meta;
      const warning = heldOutWarning(m.task, m.metrics.heldOut as HeldOut | undefined);
      if (warning) process.stderr.write(`logml: warning: ${warning}\n`);
      const summary = { model: `${m.name}@${m.version}`, task: m.task, out: flags.out, bytes: result.bytes.length, labels: m.labels, trainingData: m.trainingData, metrics: m.metrics, trainer: m.trainer };
      const format = flags.format ?? (process.stdout.isTTY ? 'table' : 'json');
      if (format === 'json') process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else {
        const lines = [`wrote ${flags.out} (${m.name}@${m.version}, ${m.task}, ${(result.bytes.length / 1024).toFixed(0)} KiB)`, `trained on ${m.trainingData.records} records: ${JSON.stringify(m.trainingData.labelCounts)}`];
        const h = m.metrics.heldOut as Record<string, unknown> | undefined;
        if (h) {
          const figures = Object.entries(h).filter(([, v]) => typeof v === 'number').map(([k, v]) => `${k} ${Number.isInteger(v) ? v : (v as number).toFixed(3)}`);
          lines.push(`held-out (${String(h.split)}): ${figures.join(', ')}`);
        } else lines.push('held-out: none (--holdout 0, or no labels in the held-out part)');
        process.stdout.write(lines.join('\n') + '\n');
      }
    });
}
