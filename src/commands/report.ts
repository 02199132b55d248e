/**
 * @file `logml report`: wiring only. Turns flags into ReportOptions and calls the core
 * `runReport` (src/core/report/run.ts), which writes the report and throws GateBreachedError
 * (exit 3) when a gate is breached. Core modules are imported lazily inside the action.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../core/errors.js';
import { parseSince } from './backfill.js';
import { addTableOptions, tableSpec, type TableFlags } from './db.js';
import { collect } from './shared.js';

interface ReportFlags {
  predictions?: string[];
  baselinePredictions?: string[];
  db?: string | true;
  since?: string;
  until?: string;
  from?: string;
  to?: string;
  baselineSince?: string;
  baselineUntil?: string;
  model?: string[];
  modelFile?: string[];
  labels?: string;
  labelsTable?: string;
  format?: 'table' | 'json' | 'markdown';
  html?: string;
  record?: boolean;
  psiWarn: number;
  psiAlert: number;
  jsAlert: number;
  ksAlert: number;
  minCoverage?: number;
  minAccuracy?: number;
  minF1?: number;
  minAnomalyF1?: number;
  minRecall?: number;
  maxFpr?: number;
  maxPsi?: number;
  maxJs?: number;
  maxKs?: number;
}

/** A number from 0 to 1 inclusive (shares, rates, PSI thresholds may exceed 1: see `nonNegative`). */
function unit(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`${name} must be a number from 0 to 1, got "${v}"`);
    return n;
  };
}

function nonNegative(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number >= 0, got "${v}"`);
    return n;
  };
}

export function registerReport(program: Command): void {
  const cmd = program
    .command('report')
    .summary('is the model still good? coverage, accuracy on labels, drift, batch scoring time; CI gates (exit 3)')
    .description(
      'Report on a model in production, from data: coverage (logs with a prediction), accuracy against labeled samples, drift against the training profile or a baseline window, scoring time per log (mean of each batch) and volume. From predictions files (logml predict output) or from ml_predictions in PostgreSQL. Gates exit with code 3 when breached.',
    )
    .option('-p, --predictions <file...>', 'predictions files (NDJSON output of logml predict; - for stdin)')
    .option('--baseline-predictions <file...>', 'predictions files of a baseline period: the drift reference')
    .option('--db [url]', 'read ml_predictions and the log table in PostgreSQL (URL, else DATABASE_URL, else PG* variables)')
    .option('--since <time>', 'with --db: logs at or after this time (ISO, or 30m / 2h / 7d ago)', (v) => parseSince(v))
    .option('--until <time>', 'with --db: logs at or before this time', (v) => parseSince(v))
    .option('--from <id>', 'with --db: logs with id >= this')
    .option('--to <id>', 'with --db: logs with id <= this')
    .option('--baseline-since <time>', 'with --db: start of a baseline window (the drift reference)', (v) => parseSince(v))
    .option('--baseline-until <time>', 'with --db: end of the baseline window', (v) => parseSince(v))
    .option('-m, --model <ref>', 'with --db: name@version or name@alias to report on; repeat for level and anomaly (default: the models found in the window)', collect)
    .option('--model-file <file>', 'model file (.onnx) whose stored training profile is the drift reference; repeat for level and anomaly', collect)
    .option('-l, --labels <csv>', 'labeled sample: CSV with log_id (database) or line [+ source] (files), then level and/or is_anomaly')
    .option('--labels-table <name>', 'with --db: a table with log_id and level and/or is_anomaly columns')
    .addOption(new Option('--format <format>', 'output format (default: table on a terminal, json otherwise)').choices(['table', 'json', 'markdown']))
    .option('--html <file>', 'also write a self-contained HTML page with charts (inline SVG)')
    .option('--record', 'with --db: store the figures in ml_model_metrics')
    .option('--psi-warn <x>', 'PSI at or above this is "warn"', nonNegative('--psi-warn'), 0.1)
    .option('--psi-alert <x>', 'PSI at or above this is "alert"', nonNegative('--psi-alert'), 0.25)
    .option('--js-alert <x>', 'Jensen-Shannon distance at or above this is "alert"', unit('--js-alert'), 0.1)
    .option('--ks-alert <x>', 'score Kolmogorov-Smirnov statistic at or above this is "alert"', unit('--ks-alert'), 0.1)
    .option('--min-coverage <x>', 'gate: share of logs with a prediction (0..1)', unit('--min-coverage'))
    .option('--min-accuracy <x>', 'gate: level accuracy on the labels', unit('--min-accuracy'))
    .option('--min-f1 <x>', 'gate: level macro-F1 on the labels', unit('--min-f1'))
    .option('--min-anomaly-f1 <x>', 'gate: anomaly F1 on the labels', unit('--min-anomaly-f1'))
    .option('--min-recall <x>', 'gate: anomaly recall on the labels', unit('--min-recall'))
    .option('--max-fpr <x>', 'gate: anomaly false-positive rate on the labels', unit('--max-fpr'))
    .option('--max-psi <x>', 'gate: PSI of predicted levels and of templates', nonNegative('--max-psi'))
    .option('--max-js <x>', 'gate: Jensen-Shannon distance of predicted levels and of templates', unit('--max-js'))
    .option('--max-ks <x>', 'gate: Kolmogorov-Smirnov statistic of anomaly scores', unit('--max-ks'))
    .addHelpText(
      'after',
      `
Examples:
  $ logml predict app.log > preds.ndjson
  $ logml report --predictions preds.ndjson --labels labels.csv --model-file models/level.onnx
  $ logml report -p preds.ndjson -l labels.csv --min-accuracy 0.9 --max-fpr 0.05 --format markdown >> "$GITHUB_STEP_SUMMARY"
  $ logml report --db --since 1d --baseline-since 8d --baseline-until 7d --min-coverage 0.99 --html report.html
  $ logml report --db --from 1 --to 50000 -m level-default@production --labels-table labeled_logs --record

Exit codes: 0 all gates passed (or none given), 2 usage or input error (also: a gate whose figure
cannot be computed), 3 a gate was breached (each breached gate is named on stderr).`,
    );
  addTableOptions(cmd);
  cmd.action(async (flags: ReportFlags & TableFlags) => {
    const dbMode = flags.db !== undefined;
    const dbOnly = { '--since': flags.since, '--until': flags.until, '--from': flags.from, '--to': flags.to, '--baseline-since': flags.baselineSince, '--baseline-until': flags.baselineUntil, '--model': flags.model, '--labels-table': flags.labelsTable, '--record': flags.record };
    if (!dbMode) {
      const used = Object.entries(dbOnly).filter(([, v]) => v !== undefined).map(([k]) => k);
      if (used.length) throw new UsageError(`${used.join(', ')} go${used.length === 1 ? 'es' : ''} with --db`, 'add --db (or --db URL) to report on ml_predictions in PostgreSQL');
    } else if (flags.baselinePredictions) throw new UsageError('--baseline-predictions goes with --predictions, not --db', 'use --baseline-since/--baseline-until for a baseline window in the database');
    if (flags.labels && flags.labelsTable) throw new UsageError('give either --labels or --labels-table, not both');
    if ((flags.baselineSince || flags.baselineUntil) && flags.modelFile) throw new UsageError('give one drift reference: a baseline window or --model-file, not both');
    if (flags.baselinePredictions && flags.modelFile) throw new UsageError('give one drift reference: --baseline-predictions or --model-file, not both');
    if (!dbMode && !flags.predictions) throw new UsageError('nothing to report on', 'give --predictions preds.ndjson (logml predict output), or --db to read ml_predictions');
    const { runReport } = await import('../core/report/run.js');
    await runReport(
      {
        predictions: flags.predictions,
        baselinePredictions: flags.baselinePredictions,
        db: dbMode
          ? {
              db: flags.db === true ? undefined : flags.db,
              table: tableSpec(flags),
              range: { fromId: flags.from, toId: flags.to, since: flags.since, until: flags.until },
              baseline: flags.baselineSince || flags.baselineUntil ? { since: flags.baselineSince, until: flags.baselineUntil } : undefined,
              models: flags.model ?? [],
              labelsTable: flags.labelsTable,
              record: Boolean(flags.record),
            }
          : undefined,
        labels: flags.labels,
        modelFiles: flags.modelFile,
        thresholds: { psiWarn: flags.psiWarn, psiAlert: flags.psiAlert, jsAlert: flags.jsAlert, ksAlert: flags.ksAlert },
        gates: {
          minCoverage: flags.minCoverage, minAccuracy: flags.minAccuracy, minF1: flags.minF1, minAnomalyF1: flags.minAnomalyF1,
          minRecall: flags.minRecall, maxFpr: flags.maxFpr, maxPsi: flags.maxPsi, maxJs: flags.maxJs, maxKs: flags.maxKs,
        },
        format: flags.format ?? (process.stdout.isTTY ? 'table' : 'json'),
        html: flags.html,
      },
      process.stdout,
      process.stderr,
    );
  });
}
