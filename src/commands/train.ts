/**
 * @file `logml train`: wiring only. Loads labeled data, runs a core trainer, writes the ONNX
 * bundle atomically (temp file + rename) and prints what was measured.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../core/errors.js';
import { fraction, noteSkipped, positiveInt } from './shared.js';

interface TrainFlags {
  task: 'level' | 'anomaly';
  data: string[];
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
async function defaultVersion(flags: TrainFlags): Promise<string> {
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
    .requiredOption('-d, --data <file...>', 'labeled CSV files (header row) or log files (their explicit level is the label)')
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
    .option('--text-column <name>', 'CSV column with the message')
    .option('--level-column <name>', 'CSV column with the level')
    .option('--label-column <name>', 'CSV column with the anomaly label (1/0, true/false, - for normal)')
    .option('--group-column <name>', 'CSV column naming the source/system; sources are weighted equally')
    .addOption(new Option('--input-format <format>', 'line format of log files').choices(['auto', 'plain', 'json', 'logfmt', 'syslog', 'klog', 'header']).default('auto'))
    .addOption(new Option('--format <format>', 'summary format (default: table on a terminal, json otherwise)').choices(['table', 'json']))
    .addHelpText(
      'after',
      `
Examples:
  $ logml train --task level --data app.log --out level.onnx
  $ logml train --task level --data app.log --base models/level.onnx --out my-level.onnx   fine-tune the shipped model
  $ logml train --task level --data export.csv --text-column msg --level-column severity --out level.onnx
  $ logml train --task anomaly --data bgl.csv --text-column Content --label-column Label --out anomaly.onnx
  $ logml train --task anomaly --unsupervised --data normal-week.log --out novelty.onnx`,
    )
    .action(async (flags: TrainFlags) => {
      const { loadDatasets, trainLevelModel, trainAnomalyModel, loadBaseLevelModel, DEFAULT_TRAIN_OPTIONS, ANOMALY_DEFAULTS, FINE_TUNE_DEFAULTS } = await import('../core/train/index.js');
      if (flags.base && flags.task !== 'level') throw new UsageError('--base fine-tunes level models only', 'drop --base, or use --task level');
      const base = flags.base ? loadBaseLevelModel(flags.base) : undefined;
      const { writeFileAtomic } = await import('../core/io/atomic-write.js');
      const { createRequire } = await import('node:module');
      const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
      const datasets = await loadDatasets(flags.data, { text: flags.textColumn, level: flags.levelColumn, label: flags.labelColumn, group: flags.groupColumn }, flags.inputFormat as never);
      for (const [k, d] of datasets.entries()) if (d.skipped) noteSkipped(d.skipped, d.records.length, `${flags.data[k]}: read`);
      const records = datasets.flatMap((d) => d.records);
      const common = {
        ...DEFAULT_TRAIN_OPTIONS,
        ...(flags.task === 'anomaly' ? ANOMALY_DEFAULTS : {}),
        name: flags.name ?? `${flags.task}-custom`,
        version: flags.modelVersion ?? (await defaultVersion(flags)),
        seed: flags.seed,
        holdout: flags.holdout,
        ...(base ? FINE_TUNE_DEFAULTS : {}),
        ...(flags.epochs !== undefined ? { epochs: flags.epochs } : {}),
        l2: flags.l2 ?? (flags.task === 'level' ? DEFAULT_TRAIN_OPTIONS.l2 : ANOMALY_DEFAULTS.l2),
        description: `logml train --task ${flags.task} on ${flags.data.join(', ')}`,
        logmlVersion: version,
      };
      const result =
        flags.task === 'level'
          ? trainLevelModel(records, { ...common, ...(base ? { base, description: `${common.description}, fine-tuned from ${base.ref}` } : {}) })
          : trainAnomalyModel(records, { ...common, unsupervised: Boolean(flags.unsupervised), noveltyQuantile: flags.noveltyQuantile });
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
