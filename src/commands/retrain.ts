/**
 * @file `logml retrain`: wiring only. Turns flags into RetrainOptions, calls the core `retrain`
 * (src/core/retrain/run.ts, imported lazily), prints its decision (text or JSON) and throws an
 * OutcomeError for the outcomes that have their own exit code (4 registered, not promoted;
 * 5 skipped: no drift; 6 skipped: another retrain holds the lock).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { OutcomeError, UsageError } from '../core/errors.js';
import { parseSince } from './backfill.js';
import { addTableOptions, dbOption, tableSpec, type TableFlags } from './db.js';
import { fraction, positiveInt, unitInterval } from './shared.js';
import { DEFAULT_DB_TRAIN_LIMIT } from './train.js';

interface RetrainFlags extends TableFlags {
  model: string;
  task?: 'level' | 'anomaly';
  db?: string;
  labelsTable: string;
  since?: string;
  until?: string;
  from?: string;
  to?: string;
  holdout?: number;
  evalSince?: string;
  evalSample?: string;
  limit: number;
  alpha: number;
  minAccuracy?: number;
  minF1?: number;
  minAnomalyF1?: number;
  minRecall?: number;
  maxFpr?: number;
  whenDrift?: boolean;
  maxPsi?: number;
  maxJs?: number;
  maxKs?: number;
  driftSince?: string;
  driftUntil?: string;
  unlabeledNormal?: boolean;
  seed: number;
  epochs?: number;
  l2?: number;
  modelVersion?: string;
  fineTune?: boolean;
  dryRun?: boolean;
  format?: 'table' | 'json';
}

function nonNegative(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number >= 0, got "${v}"`);
    return n;
  };
}

function alphaArg(v: string): number {
  const n = Number(v);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError(`--alpha must be between 0 and 1, got "${v}"`);
  return n;
}

export function registerRetrain(program: Command): void {
  const cmd = program
    .command('retrain')
    .summary('train a candidate on a recent window, promote it only if significantly better (cron)')
    .description(
      "The retraining job's last step: train a candidate on a recent window of the log table, evaluate it and the production model (name@alias in the registry) on the same labeled logs held out from training, register the candidate with the figures measured, and promote it only when McNemar's test says it is significantly better (p < --alpha) and every gate passes. " +
        'One retrain per model name at a time (a PostgreSQL advisory lock); --when-drift first checks the drift gates of `logml report` on the production model.',
    )
    .requiredOption('-m, --model <name@alias>', 'the production model, e.g. level-custom@production: the candidate gets its name, and the alias moves when it wins')
    .addOption(new Option('-t, --task <task>', 'level or anomaly; read from the production model, needed only for the first one').choices(['level', 'anomaly']))
    .addOption(dbOption());
  addTableOptions(cmd)
    .option('--labels-table <name>', 'labels table (log_id, level and/or is_anomaly, sample; see docs/db.md)', 'ml_labels')
    .option('--since <time>', 'training window start (ISO, or 30m / 2h / 7d ago; default 7d)', (v) => parseSince(v))
    .option('--until <time>', 'training window end (ISO, or 30m / 2h / 7d ago)', (v) => parseSince(v))
    .option('--from <id>', 'only logs with id >= this')
    .option('--to <id>', 'only logs with id <= this')
    .option('--holdout <share>', 'evaluation sample: the last share of the window\'s labeled logs, by id (default 0.2)', fraction('--holdout'))
    .option('--eval-since <time>', 'evaluation sample: the window\'s logs at or after this time (ISO, or 1d ago); the earlier ones train', (v) => parseSince(v))
    .option('--eval-sample <name>', 'evaluation sample: the labels table\'s rows with sample = NAME, held out of training')
    .option('--limit <n>', `read at most this many logs (the newest) for training, and as many for evaluation (default ${DEFAULT_DB_TRAIN_LIMIT.toLocaleString('en-US')})`, positiveInt('--limit'), DEFAULT_DB_TRAIN_LIMIT)
    .option('--alpha <p>', 'significance level of McNemar\'s test for promotion', alphaArg, 0.05)
    .option('--min-accuracy <x>', 'gate: the candidate\'s level accuracy on the sample', unitInterval('--min-accuracy'))
    .option('--min-f1 <x>', 'gate: the candidate\'s level macro-F1 on the sample', unitInterval('--min-f1'))
    .option('--min-anomaly-f1 <x>', 'gate: the candidate\'s anomaly F1 on the sample', unitInterval('--min-anomaly-f1'))
    .option('--min-recall <x>', 'gate: the candidate\'s anomaly recall on the sample', unitInterval('--min-recall'))
    .option('--max-fpr <x>', 'gate: the candidate\'s anomaly false-positive rate on the sample', unitInterval('--max-fpr'))
    .option('--when-drift', 'run only when the production model\'s predictions drifted (a drift gate breached); else exit 5')
    .option('--max-psi <x>', 'with --when-drift: drift gate on the PSI of predicted levels and templates (default for level models: 0.25)', nonNegative('--max-psi'))
    .option('--max-js <x>', 'with --when-drift: drift gate on the Jensen-Shannon distance of predicted levels and templates', unitInterval('--max-js'))
    .option('--max-ks <x>', 'with --when-drift: drift gate on the KS statistic of anomaly scores (default for anomaly models: 0.1)', unitInterval('--max-ks'))
    .option('--drift-since <time>', 'with --when-drift: window whose drift is measured (default: the training window)', (v) => parseSince(v))
    .option('--drift-until <time>', 'with --when-drift: end of that window', (v) => parseSince(v))
    .option('--unlabeled-normal', 'anomaly: logs without a label in the labels table count as normal (default: only labeled logs are used)')
    .option('--seed <n>', 'random seed of training', positiveInt('--seed'), 42)
    .option('--epochs <n>', 'passes over the data (default 12)', positiveInt('--epochs'))
    .option('--l2 <lambda>', 'L2 regularisation (default: 1e-4 for level, 1e-6 for anomaly)', nonNegative('--l2'))
    .option('--fine-tune', 'level: start the candidate from the production model\'s weights (as train --base) instead of from nothing')
    .option('--dry-run', 'decide and print, but write nothing to the registry (no register, no metrics, no promotion); same exit codes')
    .option('--model-version <version>', "the candidate's version (default: 1- and 8 hex of a hash of its training data and options: a re-run on the same data gives the same model)")
    .addOption(new Option('--format <format>', 'output format (default: table on a terminal, json otherwise)').choices(['table', 'json']))
    .addHelpText(
      'after',
      `
Exit codes: 0 promoted (or the candidate is the production model already), 4 candidate registered
but not promoted (not significantly better, or a gate breached), 5 skipped: no drift
(--when-drift), 6 skipped: another retrain of the model is running, 2 usage or input error,
1 failure (database unreachable, ...).

Examples:
  $ logml retrain -m level-custom@production --task level --db --since 7d
  $ logml retrain -m level-custom@production --db --since 7d --eval-since 1d --min-accuracy 0.9
  $ logml retrain -m anomaly-custom@production --db --since 30d --eval-sample golden --max-fpr 0.05
  $ logml retrain -m level-custom@production --db --since 7d --fine-tune --dry-run
  */30 * * * *  logml backfill --since 1h -m level-custom@production && logml retrain -m level-custom@production --when-drift --since 7d`,
    )
    .action(async (flags: RetrainFlags) => {
      const splits = [flags.holdout !== undefined && '--holdout', flags.evalSince && '--eval-since', flags.evalSample && '--eval-sample'].filter(Boolean);
      if (splits.length > 1) throw new UsageError(`give one evaluation sample: ${splits.join(' or ')}, not both`, '--holdout SHARE (default 0.2), --eval-since TIME or --eval-sample NAME');
      const driftOnly = { '--max-psi': flags.maxPsi, '--max-js': flags.maxJs, '--max-ks': flags.maxKs, '--drift-since': flags.driftSince, '--drift-until': flags.driftUntil };
      const stray = Object.entries(driftOnly).filter(([, v]) => v !== undefined).map(([k]) => k);
      if (!flags.whenDrift && stray.length) throw new UsageError(`${stray.join(', ')} go${stray.length === 1 ? 'es' : ''} with --when-drift`, 'add --when-drift to retrain only when the production model drifted');
      const since = flags.since ?? (flags.from === undefined && flags.to === undefined ? parseSince('7d') : undefined);
      const range = { since, until: flags.until, fromId: flags.from, toId: flags.to };
      const [{ retrain, renderRetrain }, { createRequire }] = await Promise.all([import('../core/retrain/run.js'), import('node:module')]);
      const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
      const r = await retrain({
        db: flags.db || undefined,
        model: flags.model,
        task: flags.task,
        table: tableSpec(flags),
        range,
        labelsTable: flags.labelsTable,
        split: flags.evalSince ? { kind: 'time', since: flags.evalSince } : flags.evalSample ? { kind: 'sample', name: flags.evalSample } : { kind: 'holdout', share: flags.holdout ?? 0.2 },
        limit: flags.limit,
        alpha: flags.alpha,
        gates: { minAccuracy: flags.minAccuracy, minF1: flags.minF1, minAnomalyF1: flags.minAnomalyF1, minRecall: flags.minRecall, maxFpr: flags.maxFpr },
        whenDrift: flags.whenDrift
          ? { gates: { maxPsi: flags.maxPsi, maxJs: flags.maxJs, maxKs: flags.maxKs }, range: flags.driftSince || flags.driftUntil ? { since: flags.driftSince, until: flags.driftUntil } : range }
          : undefined,
        unlabeledNormal: Boolean(flags.unlabeledNormal),
        seed: flags.seed,
        epochs: flags.epochs,
        l2: flags.l2,
        modelVersion: flags.modelVersion,
        fineTune: Boolean(flags.fineTune),
        dryRun: Boolean(flags.dryRun),
        logmlVersion: version,
      });
      const format = flags.format ?? (process.stdout.isTTY ? 'table' : 'json');
      process.stdout.write(format === 'json' ? JSON.stringify(r, null, 2) + '\n' : renderRetrain(r));
      if (r.exitCode !== 0) {
        const what = r.decision === 'registered' ? `candidate ${r.model}@${r.candidate?.version} ${r.dryRun ? 'would be registered (dry run)' : 'registered'}, not promoted` : 'skipped';
        throw new OutcomeError(r.exitCode, `${what}: ${r.reasons[0] ?? r.decision}`);
      }
    });
}
