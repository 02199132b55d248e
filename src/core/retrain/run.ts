/**
 * @file `logml retrain`, the cron job's last step: under a PostgreSQL advisory lock (one retrain
 * per model name at a time), optionally only when the production model's window drifted (the
 * report's drift gates), train a candidate on a recent window of the log table, evaluate it and
 * the production model (name@alias in the registry) on the same labeled sample held out from
 * training (a time split or a named sample), register the candidate with the figures measured,
 * and promote it only when it passes the gates and McNemar's test says it is significantly
 * better. Returns what it decided and why; never writes to the terminal, never exits.
 */
import type pg from 'pg';
import { UsageError } from '../errors.js';
import { connect, createPool, dbFailure, ping } from '../db/connection.js';
import { labelsTableInfo, readLabeledLogs, type LabeledRow, type LabelsTableInfo } from '../db/labeled-logs.js';
import type { LogRange, LogTableSpec } from '../db/log-source.js';
import { requireSchema } from '../db/migrate.js';
import { parseModelRef, promoteModel, recordMetrics, registerModel, resolveModelRef, sha256Hex } from '../db/registry.js';
import { describeWindow, toLabeledMessage } from '../db/train-data.js';
import type { ModelMetadata } from '../model/bundle.js';
import { wilson95 } from '../metrics/index.js';
import { loadModel, type LoadedModel } from '../model/load.js';
import { compareLoaded, type CompareResult } from '../report/compare.js';
import { DEFAULT_DRIFT_THRESHOLDS } from '../report/drift.js';
import { evaluateGates, type GateResult, type GateSpec } from '../report/gates.js';
import { evaluateModel, type Evaluation } from '../train/evaluate.js';
import { trainTask, versionOfRecords } from '../train/run.js';
import type { LabeledMessage } from '../train/trainers.js';
import { decide, driftBreached, driftReason, RETRAIN_EXIT, type RetrainDecision } from './decision.js';

/** How the labeled evaluation sample is held out of training. */
export type EvalSplit =
  /** The last `share` of the window's labeled logs (id order: time order). */
  | { kind: 'holdout'; share: number }
  /** Logs of the window at or after this time; the earlier ones train. */
  | { kind: 'time'; since: string }
  /** The labels table's rows with `sample` = name (any time); the window's other logs train. */
  | { kind: 'sample'; name: string };

export interface RetrainOptions {
  db?: string | undefined;
  /** name@alias of the production model, e.g. level-custom@production. */
  model: string;
  /** Needed only when the alias points nowhere yet (the first model). */
  task?: 'level' | 'anomaly' | undefined;
  table: LogTableSpec;
  /** The training window (and, with a time split, the evaluation window too). */
  range: LogRange;
  labelsTable: string;
  split: EvalSplit;
  /** At most this many logs are read for training (the newest), and as many for evaluation. */
  limit: number;
  alpha: number;
  /** The report's accuracy gates, on the candidate's figures on the sample. */
  gates: GateSpec;
  /** --when-drift: the report's drift gates on the production model's predictions in `range`. */
  whenDrift?: { gates: GateSpec; range: LogRange } | undefined;
  unlabeledNormal: boolean;
  seed: number;
  epochs?: number | undefined;
  l2?: number | undefined;
  /** Default: 1- and a hash of the training data and options (a re-run on the same data gives the same model). */
  modelVersion?: string | undefined;
  /** Level: start the candidate from the production model's weights (train --base) instead of from nothing. */
  fineTune?: boolean;
  /** Decide, but write nothing to the registry (no register, no metrics, no promotion). */
  dryRun?: boolean;
  logmlVersion: string;
}

export interface ModelEvaluation {
  ref: string;
  sha256: string;
  n: number;
  accuracy: number;
  accuracyCi95: [number, number];
  /** Level: macro-F1; anomaly: F1. */
  f1: number;
  /** Anomaly only. */
  fpr: number | null;
  precision: number | null;
  recall: number | null;
}

export interface RetrainResult {
  decision: RetrainDecision;
  exitCode: number;
  /** --dry-run: the decision a real run would take; nothing was written. */
  dryRun: boolean;
  reasons: string[];
  model: string;
  alias: string;
  task: 'level' | 'anomaly' | null;
  window: string;
  drift: { gates: GateResult[]; breached: boolean; window: string } | null;
  production: (ModelEvaluation & { version: string }) | { ref: string; version: string; sha256: string } | null;
  candidate: (ModelEvaluation & { version: string; created: boolean; trainedOn: ModelMetadata['trainingData']; capped: boolean }) | null;
  sample: { how: string; n: number; unlabeled: number } | null;
  compare: CompareResult | null;
  gates: GateResult[];
  /** ml_model_metrics ids written (candidate, then production). */
  recorded: number[];
  promotion: { alias: string; version: string; previous: string | null } | null;
}

/** The advisory lock key of one model name's retrains (two int4 from hashtext). */
const lockSql = `SELECT pg_try_advisory_lock(hashtextextended('logml retrain ' || $1, 0)) AS got`;
const unlockSql = `SELECT pg_advisory_unlock(hashtextextended('logml retrain ' || $1, 0))`;

const LEVEL_GATES: ReadonlyArray<keyof GateSpec> = ['minAccuracy', 'minF1'];
const ANOMALY_GATES: ReadonlyArray<keyof GateSpec> = ['minAnomalyF1', 'minRecall', 'maxFpr'];
const GATE_FLAGS: Record<string, string> = { minAccuracy: '--min-accuracy', minF1: '--min-f1', minAnomalyF1: '--min-anomaly-f1', minRecall: '--min-recall', maxFpr: '--max-fpr', maxPsi: '--max-psi', maxJs: '--max-js', maxKs: '--max-ks' };

/** Refuse a gate the task cannot have before any work is done. */
function checkGates(task: 'level' | 'anomaly', gates: GateSpec, whenDrift: RetrainOptions['whenDrift']): void {
  const foreign = (task === 'level' ? ANOMALY_GATES : LEVEL_GATES).filter((k) => gates[k] !== undefined);
  if (foreign.length) throw new UsageError(`${foreign.map((k) => GATE_FLAGS[k]).join(', ')} cannot be checked on a ${task} model`, task === 'level' ? 'level models take --min-accuracy and --min-f1' : 'anomaly models take --min-anomaly-f1, --min-recall and --max-fpr');
  if (whenDrift) {
    const bad = (task === 'level' ? ['maxKs'] : ['maxPsi', 'maxJs']).filter((k) => whenDrift.gates[k as keyof GateSpec] !== undefined);
    if (bad.length) throw new UsageError(`${bad.map((k) => GATE_FLAGS[k]).join(', ')} cannot be checked on a ${task} model`, task === 'level' ? 'the drift of a level model is --max-psi / --max-js (predicted levels)' : 'the drift of an anomaly model is --max-ks (scores)');
  }
}

function evaluationOf(ev: Evaluation, sha256: string): ModelEvaluation {
  if (ev.task === 'level') {
    const r = ev.report;
    return { ref: ev.model, sha256, n: ev.n, accuracy: r.accuracy, accuracyCi95: r.accuracyCi95, f1: r.macroF1, fpr: null, precision: null, recall: null };
  }
  const r = ev.report;
  return { ref: ev.model, sha256, n: ev.n, accuracy: r.accuracy, accuracyCi95: wilson95(r.tp + r.tn, r.n), f1: r.f1, fpr: r.fpr, precision: r.precision, recall: r.recall };
}

const r3 = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);

async function recordEvaluation(pool: pg.Pool, m: { name: string; version: string }, e: ModelEvaluation, details: Record<string, unknown>): Promise<number> {
  return recordMetrics(pool, { modelName: m.name, modelVersion: m.version, accuracy: r3(e.accuracy), f1: r3(e.f1), fpr: r3(e.fpr), predictionsCount: e.n, sampleSize: e.n, details });
}

/** The training rows and the evaluation sample, held out as `split` says. */
async function readSplit(db: pg.Pool, o: RetrainOptions, task: 'level' | 'anomaly', labels: LabelsTableInfo | null): Promise<{ train: LabeledRow[]; sample: LabeledRow[]; how: string; capped: boolean; logSource: string }> {
  const require = task === 'level' ? 'level' : o.unlabeledNormal ? 'none' : 'anomaly';
  const base = { table: o.table, range: o.range, labels, require, limit: o.limit } as const;
  const window = describeWindow(o.table.table, o.range);
  if (o.split.kind === 'sample') {
    const train = await readLabeledLogs(db, { ...base, sample: { name: o.split.name, mode: 'exclude' } });
    const sample = await readLabeledLogs(db, { ...base, require: task === 'level' ? 'level' : 'anomaly', sample: { name: o.split.name, mode: 'only' } });
    return { train: train.rows, sample: sample.rows, how: `the labeled sample "${o.split.name}" of ${o.labelsTable}${sample.capped ? ` (its newest ${o.limit})` : ''}`, capped: train.capped, logSource: train.logSource };
  }
  const all = await readLabeledLogs(db, base);
  if (o.split.kind === 'time') {
    if (!o.table.timeColumn) throw new UsageError('--eval-since needs a time column', 'name it with --time-column, or use --holdout');
    const at = Date.parse(o.split.since);
    if (Number.isNaN(at)) throw new UsageError(`--eval-since: "${o.split.since}" is not a time`, 'give an ISO time, or 1d / 12h ago');
    const isEval = (r: LabeledRow) => r.time !== null && Date.parse(r.time) >= at;
    return { train: all.rows.filter((r) => !isEval(r)), sample: all.rows.filter(isEval), how: `the logs of ${window} at or after ${new Date(at).toISOString()}`, capped: all.capped, logSource: all.logSource };
  }
  if (!(o.split.share > 0)) throw new UsageError('--holdout 0 leaves no sample to compare the models on', 'give a share above 0 (default 0.2), --eval-since TIME or --eval-sample NAME');
  const nEval = all.rows.length < 2 ? 0 : Math.max(1, Math.floor(all.rows.length * o.split.share));
  const cut = all.rows.length - nEval;
  return { train: all.rows.slice(0, cut), sample: all.rows.slice(cut), how: `the last ${nEval} of ${all.rows.length} labeled logs of ${window} (id order)`, capped: all.capped, logSource: all.logSource };
}

/**
 * Run one retrain. Skips (decision skipped-*) rather than fails when another retrain of the same
 * model holds the lock or when --when-drift finds no drift.
 * @example const r = await retrain({ model: 'level-custom@production', table: DEFAULT_LOG_TABLE, range: { since: '2026-11-25' }, labelsTable: 'ml_labels', split: { kind: 'holdout', share: 0.2 }, limit: 200_000, alpha: 0.05, gates: {}, unlabeledNormal: false, seed: 42, logmlVersion: '0.1.0' });
 */
export async function retrain(o: RetrainOptions): Promise<RetrainResult> {
  const { name, tag: alias } = parseModelRef(o.model);
  const window = describeWindow(o.table.table, o.range);
  const result: RetrainResult = { decision: 'registered', exitCode: 0, dryRun: Boolean(o.dryRun), reasons: [], model: name, alias, task: o.task ?? null, window, drift: null, production: null, candidate: null, sample: null, compare: null, gates: [], recorded: [], promotion: null };
  const done = (d: RetrainDecision, reasons: string[]) => Object.assign(result, { decision: d, exitCode: RETRAIN_EXIT[d], reasons });
  const pool = createPool({ db: o.db, max: 2, applicationName: 'logml retrain' });
  const models: LoadedModel[] = [];
  try {
    await ping(pool, { db: o.db });
    await requireSchema(pool);
    // a session advisory lock on its own connection, held for the whole run: a second retrain
    // of the same model (an overlapping cron run) skips instead of racing this one
    const lock = await connect(pool);
    try {
      const got = (await lock.query<{ got: boolean }>(lockSql, [name])).rows[0]?.got;
      if (!got) return done('skipped-locked', [`another logml retrain of ${name} holds the lock (pg advisory lock): skipped`]);
      try {
        return await locked(pool, o, result, done, models, window);
      } finally {
        await lock.query(unlockSql, [name]).catch(() => undefined);
      }
    } finally {
      lock.release();
    }
  } catch (err) {
    throw dbFailure(err, `retraining ${o.model}`);
  } finally {
    for (const m of models) await m.session.release().catch(() => undefined);
    await pool.end().catch(() => undefined);
  }
}

async function locked(
  pool: pg.Pool,
  o: RetrainOptions,
  result: RetrainResult,
  done: (d: RetrainDecision, reasons: string[]) => RetrainResult,
  models: LoadedModel[],
  window: string,
): Promise<RetrainResult> {
  const { model: name, alias } = result;
  // the production model: what the alias points at now, or nothing yet
  const aliased = (await pool.query<{ version: string }>('SELECT version FROM ml_model_aliases WHERE name = $1 AND alias = $2', [name, alias])).rows[0]?.version;
  const prodBytes = aliased !== undefined ? await resolveModelRef(pool, `${name}@${aliased}`) : null;
  let production: LoadedModel | null = null;
  if (prodBytes) {
    production = await loadModel({ bytes: prodBytes.bytes, origin: `registry:${name}@${aliased}` });
    models.push(production);
  }
  const task = production?.meta.task ?? o.task;
  if (!task) throw new UsageError(`${name}@${alias} points at no model yet, so the task is unknown`, 'give --task level or --task anomaly for the first model');
  if (o.task && production && o.task !== production.meta.task) throw new UsageError(`--task ${o.task}, but ${name}@${alias} is a ${production.meta.task} model`, 'leave --task out (it is read from the production model)');
  result.task = task;
  checkGates(task, o.gates, o.whenDrift);
  if (production) result.production = { ref: production.ref, version: aliased!, sha256: production.sha256 };

  if (o.whenDrift) {
    if (!production) throw new UsageError(`--when-drift: ${name}@${alias} points at no model, so there is no drift to measure`, 'run once without --when-drift to train the first model');
    const { dbReport } = await import('../report/sql.js');
    const given = Object.values(o.whenDrift.gates).some((v) => v !== undefined);
    // no drift gate given: the report's alert thresholds (PSI 0.25 for levels, KS 0.1 for scores)
    const gates = given ? o.whenDrift.gates : task === 'level' ? { maxPsi: DEFAULT_DRIFT_THRESHOLDS.psiAlert } : { maxKs: DEFAULT_DRIFT_THRESHOLDS.ksAlert };
    const report = await dbReport({ db: o.db, table: o.table, range: o.whenDrift.range, models: [`${name}@${aliased}`], record: false, modelFiles: [], gates: {} });
    const driftWindow = describeWindow(o.table.table, o.whenDrift.range);
    if (!report.coverage.perModel?.[0]?.covered) {
      throw new UsageError(`--when-drift: no predictions of ${name}@${aliased} (${name}@${alias}) for the logs of ${driftWindow}, so its drift cannot be measured`, `score them first: logml backfill -m ${name}@${alias} (same table and window), or widen --drift-since`);
    }
    const driftGates = evaluateGates(report, gates);
    const breached = driftBreached(driftGates);
    result.drift = { gates: driftGates, breached, window: driftWindow };
    if (!breached) return done('skipped-no-drift', [driftReason(driftGates)]);
  }

  const labels = await labelsTableInfo(pool, o.labelsTable, task === 'anomaly' && !o.unlabeledNormal);
  const split = await readSplit(pool, o, task, labels);
  const train = split.train.map((r) => toLabeledMessage(r, split.logSource, o.unlabeledNormal));
  const sample = split.sample.map((r) => toLabeledMessage(r, split.logSource, o.unlabeledNormal));
  const labeled = (d: LabeledMessage) => (task === 'level' ? Boolean(d.level) : d.anomaly === true || d.anomaly === false);
  if (!sample.some(labeled)) throw new UsageError(`no labeled logs to evaluate on: ${split.how} holds none`, o.split.kind === 'sample' ? `label logs in ${o.labelsTable} with sample = '${o.split.name}'` : 'widen the window (--since), or change --holdout / --eval-since');
  if (train.length < 2) throw new UsageError(`only ${train.length} logs to train on in ${window} (held out: ${split.how})`, 'widen the window (--since), or hold out less');

  if (o.fineTune && task !== 'level') throw new UsageError('--fine-tune goes with level models only', 'drop --fine-tune for an anomaly model');
  if (o.fineTune && !prodBytes) throw new UsageError(`--fine-tune: ${name}@${alias} points at no model to start from`, 'run once without --fine-tune to train the first model');
  const base = o.fineTune && prodBytes ? (await import('../train/finetune.js')).baseLevelModel(prodBytes.bytes, `${name}@${alias}`) : undefined;
  const options = { task, seed: o.seed, epochs: o.epochs ?? null, l2: o.l2 ?? null, unlabeledNormal: o.unlabeledNormal, logml: o.logmlVersion, base: base?.sha256 ?? null };
  const version = o.modelVersion ?? versionOfRecords(train, options, sample);
  const trained = trainTask(train, {
    task,
    name,
    version,
    seed: o.seed,
    holdout: 0,
    heldOut: sample,
    heldOutDescription: split.how,
    epochs: o.epochs,
    l2: o.l2,
    base,
    description: `logml retrain ${o.model} on ${window}${split.capped ? `, the newest ${o.limit}` : ''}`,
    logmlVersion: o.logmlVersion,
  });
  const candidateSha = sha256Hex(trained.bytes);
  const candidate = await loadModel({ bytes: trained.bytes, origin: `candidate ${name}@${version}` });
  models.push(candidate);

  const candEv = await evaluateModel(candidate, sample);
  const candEval = evaluationOf(candEv, candidateSha);
  const evalN = candEval.n;
  result.sample = { how: split.how, n: evalN, unlabeled: sample.length - evalN };
  result.gates = evaluateGates(
    { accuracy: { labels: { file: split.how, rows: sample.length, key: 'log_id', matched: evalN, unmatched: 0, unknownLevels: 0 }, level: candEv.task === 'level' ? candEv.report : null, anomaly: candEv.task === 'anomaly' ? candEv.report : null }, drift: null },
    o.gates,
  );
  let prodEval: ModelEvaluation | null = null;
  if (production) {
    prodEval = evaluationOf(await evaluateModel(production, sample), production.sha256);
    result.production = { ...prodEval, version: aliased! };
    result.compare = await compareLoaded(production, candidate, sample, { alpha: o.alpha, origins: [`${name}@${alias}`, 'candidate'], sample: split.how });
  }
  const d = decide({ candidateSha256: candidateSha, production: production ? { ref: `${name}@${alias} (${production.ref})`, sha256: production.sha256 } : null, mcnemar: result.compare?.mcnemar ?? null, n: evalN, alpha: o.alpha, gates: result.gates });

  if (o.dryRun) {
    const known = await pool.query('SELECT 1 FROM ml_models WHERE name = $1 AND version = $2', [name, version]);
    result.candidate = { ...candEval, version, created: known.rows.length === 0, trainedOn: trained.meta.trainingData, capped: split.capped };
    return done(d.decision, [...d.reasons, 'dry run: nothing was written to the registry']);
  }
  // register the candidate (the same bytes again are a no-op), with the figures measured
  const reg = await registerModel(pool, { name, version, bytes: trained.bytes, metadata: trained.meta as unknown as Record<string, unknown> });
  result.candidate = { ...candEval, version, created: reg.created, trainedOn: trained.meta.trainingData, capped: split.capped };
  if (d.decision !== 'unchanged') {
    const details = { generatedBy: 'logml retrain', sample: split.how, window, decision: d.decision, reasons: d.reasons, compare: result.compare };
    result.recorded.push(await recordEvaluation(pool, { name, version }, candEval, { ...details, role: 'candidate' }));
    if (prodEval) result.recorded.push(await recordEvaluation(pool, { name, version: aliased! }, prodEval, { ...details, role: 'production' }));
  }
  if (d.decision === 'promoted') {
    const p = await promoteModel(pool, `${name}@${version}`, alias);
    result.promotion = { alias, version: p.version, previous: p.previous };
  }
  return done(d.decision, d.reasons);
}

/** The summary for a terminal: what was decided, and why, with the figures and their sample sizes. */
export function renderRetrain(r: RetrainResult): string {
  const f3 = (x: number) => x.toFixed(3);
  const ev = (e: ModelEvaluation) => `accuracy ${f3(e.accuracy)} [${f3(e.accuracyCi95[0])}, ${f3(e.accuracyCi95[1])}], ${r.task === 'level' ? 'macro-F1' : 'F1'} ${f3(e.f1)}${e.fpr !== null ? `, FPR ${f3(e.fpr)}` : ''} (n=${e.n})`;
  const lines = [`retrain ${r.model}@${r.alias}${r.task ? ` (${r.task})` : ''} on ${r.window}`];
  if (r.drift) lines.push(`  drift       ${r.drift.breached ? 'breached' : 'none'} in ${r.drift.window}: ${r.drift.gates.map((g) => `${g.figure} ${Number(g.value.toFixed(4))} (max ${g.threshold}, n=${g.n})`).join('; ')}`);
  if (r.candidate) lines.push(`  trained     ${r.model}@${r.candidate.version}${r.candidate.created ? "" : " (already registered)"} on ${r.candidate.trainedOn.records} logs ${JSON.stringify(r.candidate.trainedOn.labelCounts)}${r.candidate.capped ? ' (newest only: --limit)' : ''}`);
  if (r.sample) lines.push(`  sample      ${r.sample.n} labeled logs: ${r.sample.how}`);
  if (r.production && 'accuracy' in r.production) lines.push(`  production  ${r.model}@${r.production.version}: ${ev(r.production)}`);
  else if (r.production) lines.push(`  production  ${r.model}@${r.production.version}`);
  else lines.push(`  production  none (${r.model}@${r.alias} points at no model)`);
  if (r.candidate) lines.push(`  candidate   ${r.model}@${r.candidate.version}: ${ev(r.candidate)}`);
  if (r.compare) {
    const m = r.compare.mcnemar;
    lines.push(`  McNemar     b=${m.b} (only production right), c=${m.c} (only candidate right), p=${m.pValue < 0.001 ? m.pValue.toExponential(2) : m.pValue.toFixed(4)} (${m.method}), alpha ${r.compare.alpha}`);
  }
  for (const g of r.gates) lines.push(`  gate        ${g.gate}: ${g.figure} ${Number(g.value.toFixed(4))} ${g.passed ? 'passed' : 'BREACHED'} (threshold ${g.threshold}, n=${g.n})`);
  const what: Record<RetrainDecision, string> = {
    promoted: r.promotion ? `promoted: ${r.model}@${r.alias} -> ${r.promotion.version}${r.promotion.previous && r.promotion.previous !== r.promotion.version ? ` (was ${r.promotion.previous})` : ''}` : `promoted: ${r.model}@${r.alias} -> ${r.candidate?.version ?? '?'}`,
    unchanged: 'unchanged: the production model is already this candidate',
    registered: `registered ${r.model}@${r.candidate?.version ?? '?'}, not promoted`,
    'skipped-no-drift': 'skipped: no drift',
    'skipped-locked': 'skipped: another retrain is running',
  };
  lines.push(`  decision    ${r.dryRun ? '(dry run) would be ' : ''}${what[r.decision]} (exit ${r.exitCode})`);
  for (const reason of r.reasons) lines.push(`              ${reason}`);
  return lines.join('\n') + '\n';
}
