/**
 * @file Building a report from predictions files (NDJSON, `logml predict` output), streamed line
 * by line: only counts, histograms and the joined labeled pairs are kept, never the rows.
 * Also the assembly shared with the PostgreSQL builder (sql.ts): coverage, accuracy, volume.
 */
import { readFileSync } from 'node:fs';
import { openLineSource } from '../io/line-source.js';
import { InputError, UsageError } from '../errors.js';
import { binaryReport, classificationReport, wilson95 } from '../metrics/index.js';
import { readBundle } from '../model/bundle.js';
import { checkReadableFile } from '../train/dataset.js';
import { LEVELS } from '../types.js';
import { computeDrift, DEFAULT_DRIFT_THRESHOLDS, type DriftThresholds, type Reference } from './drift.js';
import { evaluateGates, type GateSpec } from './gates.js';
import { labelKey, type LabelSet } from './labels.js';
import { SnapshotBuilder, type Snapshot } from './snapshot.js';
import type { ReportResult } from './types.js';

/** Labeled pairs joined to predictions (the labeled sample only). */
export class LabelJoin {
  readonly levelActual: string[] = [];
  readonly levelPredicted: string[] = [];
  readonly anomalyActual: boolean[] = [];
  readonly anomalyPredicted: boolean[] = [];
  private readonly seen = new Set<string>();
  constructor(readonly set: LabelSet) {}

  /** Join one prediction (keyed as the label set says). */
  add(key: string, predictedLevel: string | null, isAnomaly: boolean | null): void {
    const label = this.set.labels.get(key);
    if (!label || this.seen.has(key)) return;
    this.seen.add(key);
    if (label.level && predictedLevel) {
      this.levelActual.push(label.level);
      this.levelPredicted.push(predictedLevel);
    }
    if (label.anomaly !== null && isAnomaly !== null) {
      this.anomalyActual.push(label.anomaly);
      this.anomalyPredicted.push(isAnomaly);
    }
  }

  /** Set when the join was counted in SQL (a labels table) rather than row by row. */
  matchedCount: number | null = null;

  get matched(): number {
    return this.matchedCount ?? this.seen.size;
  }
}

export function accuracyOf(join: LabelJoin, file: string): NonNullable<ReportResult['accuracy']> {
  return {
    labels: { file, rows: join.set.rows, key: join.set.key, matched: join.matched, unmatched: Math.max(0, (join.matchedCount === null ? join.set.labels.size : join.set.rows) - join.matched), unknownLevels: join.set.unknownLevels },
    level: join.levelActual.length > 0 ? classificationReport(join.levelActual, join.levelPredicted, LEVELS) : null,
    anomaly: join.anomalyActual.length > 0 ? binaryReport(join.anomalyActual, join.anomalyPredicted) : null,
  };
}

export function coverageOf(s: Snapshot): ReportResult['coverage'] {
  return { n: s.total, covered: s.covered, missing: s.total - s.covered, share: s.total === 0 ? 0 : s.covered / s.total, ci95: wilson95(s.covered, s.total), perDay: s.perDay };
}

/** Logs per hour over the hours that have a time (hours between the first and last, inclusive). */
export function volumeOf(perHour: Array<{ hour: string; count: number }>, n: number): ReportResult['volume'] {
  if (perHour.length === 0) return { n, hours: 0, meanPerHour: 0, peakPerHour: 0, peakHour: null, perHour };
  const first = Date.parse(perHour[0]!.hour);
  const last = Date.parse(perHour[perHour.length - 1]!.hour);
  const hours = Math.round((last - first) / 3_600_000) + 1;
  const counted = perHour.reduce((s, h) => s + h.count, 0);
  const peak = perHour.reduce((a, b) => (b.count > a.count ? b : a));
  return { n: counted, hours, meanPerHour: counted / hours, peakPerHour: peak.count, peakHour: peak.hour, perHour };
}

/** Current distributions for charts (20 score bins from the fine bins). */
export function distributionsOf(s: Snapshot): ReportResult['distributions'] {
  const h = new Array<number>(20).fill(0);
  const per = s.scoreBins.length / 20;
  s.scoreBins.forEach((v, i) => (h[Math.floor(i / per)]! += v));
  return { levels: s.levels, scoreHistogram: h, scoreN: s.scoreN };
}

/** Reference profiles from model files (--model-file), read without starting a runtime. */
export function profileReference(paths: readonly string[]): Reference {
  const profiles = paths.map((p) => {
    checkReadableFile(p);
    const b = readBundle(readFileSync(p), p);
    return { model: `${b.meta.name}@${b.meta.version}`, profile: b.meta.referenceProfile ?? { n: 0 } };
  });
  return { kind: 'profile', description: `training profile of ${profiles.map((p) => `${p.model} (n=${p.profile.n})`).join(', ')}`, profiles };
}

export interface NdjsonReportOptions {
  predictions: string[];
  labels?: LabelSet & { file: string };
  /** Model files whose training profile is the drift reference. */
  modelFiles?: string[];
  /** Predictions files of a baseline period (the drift reference). */
  baseline?: string[];
  thresholds?: DriftThresholds;
  gates?: GateSpec;
}

interface PredLine {
  source?: unknown; line?: unknown; time?: unknown; predicted_level?: unknown; anomaly_score?: unknown; is_anomaly?: unknown; template_id?: unknown; template?: unknown; model?: unknown;
}

/** Longest predictions line read (a record of up to 1 MiB, JSON-escaped, with its template); longer ones are skipped. */
export const MAX_PREDICTION_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Stream predictions files into a snapshot (and the label join), through the same line sources
 * as `predict` (binary refused, permission errors named, lines capped in bytes). `skipped`
 * counts lines over the cap.
 */
export async function readPredictions(files: readonly string[], join: LabelJoin | null, skipped = { tooLong: 0 }): Promise<Snapshot> {
  const b = new SnapshotBuilder();
  for (const file of files) {
    const source = await openLineSource({ path: file, maxLineBytes: MAX_PREDICTION_LINE_BYTES });
    for await (const batch of source.batches) for (let i = 0; i < batch.lines.length; i++) {
      const text = batch.lines[i]!;
      const lineNo = batch.lineNos[i]!;
      if (text.length === 0) continue;
      let p: PredLine;
      try {
        p = JSON.parse(text) as PredLine;
      } catch {
        throw new InputError(`${file}, line ${lineNo}: not JSON`, 'give the NDJSON output of `logml predict` (one JSON object per line)');
      }
      if (typeof p !== 'object' || p === null) throw new InputError(`${file}, line ${lineNo}: not a JSON object`, 'give the NDJSON output of `logml predict`');
      const predictedLevel = typeof p.predicted_level === 'string' ? p.predicted_level : null;
      const anomalyScore = typeof p.anomaly_score === 'number' ? p.anomaly_score : null;
      const isAnomaly = typeof p.is_anomaly === 'boolean' ? p.is_anomaly : null;
      b.add({
        time: typeof p.time === 'string' ? p.time : null,
        predictedLevel,
        anomalyScore,
        isAnomaly,
        templateId: typeof p.template_id === 'string' ? p.template_id : null,
        template: typeof p.template === 'string' ? p.template : null,
        models: Array.isArray(p.model) ? (p.model as string[]) : typeof p.model === 'string' ? [p.model] : undefined,
      });
      if (join) {
        const line = typeof p.line === 'number' || typeof p.line === 'string' ? p.line : null;
        join.add(labelKey(join.set, { source: typeof p.source === 'string' ? p.source : null, line, logId: null }), predictedLevel, isAnomaly);
      }
    }
    skipped.tooLong += source.skipped.tooLong;
  }
  return b.build();
}

/**
 * Report over predictions files.
 * @example await ndjsonReport({ predictions: ['preds.ndjson'], labels: { ...loadLabelsCsv('l.csv'), file: 'l.csv' } })
 */
export async function ndjsonReport(opts: NdjsonReportOptions): Promise<ReportResult> {
  if (opts.predictions.length === 0) throw new UsageError('no predictions file', 'give --predictions preds.ndjson (the output of `logml predict`)');
  if (opts.labels && opts.labels.key === 'log_id') throw new UsageError(`${opts.labels.file} joins on log_id, which predictions files do not have`, 'use a labels CSV with a line column (and optionally source)');
  const reference: Reference | null = opts.modelFiles?.length ? profileReference(opts.modelFiles) : null;
  const join = opts.labels ? new LabelJoin(opts.labels) : null;
  const skipped = { tooLong: 0 };
  const current = await readPredictions(opts.predictions, join, skipped);
  const baseline = opts.baseline?.length ? await readPredictions(opts.baseline, null, skipped) : null;
  const ref: Reference | null = baseline ? { kind: 'baseline', description: `baseline predictions ${opts.baseline!.join(', ')} (n=${baseline.total})`, snapshot: baseline } : reference;
  const notes: string[] = [];
  if (current.total === 0) notes.push('no predictions read');
  if (skipped.tooLong > 0) notes.push(`skipped ${skipped.tooLong} line${skipped.tooLong === 1 ? '' : 's'} longer than ${MAX_PREDICTION_LINE_BYTES / (1024 * 1024)} MiB`);
  const result: ReportResult = {
    source: { kind: 'ndjson', files: [...opts.predictions] },
    models: current.models,
    coverage: coverageOf(current),
    accuracy: join ? accuracyOf(join, opts.labels!.file) : null,
    drift: ref ? computeDrift(current, ref, opts.thresholds ?? DEFAULT_DRIFT_THRESHOLDS) : null,
    batchLatency: null,
    volume: volumeOf(current.perHour, current.total),
    distributions: distributionsOf(current),
    gates: [],
    notes: [...notes, 'batch latency: predictions files carry no scoring times (the database paths store them in ml_predictions.batch_latency_us)'],
  };
  if (!ref) result.notes.push('drift: no reference (give --model-file MODEL.onnx or --baseline-predictions FILE)');
  if (join && join.matched === 0) result.notes.push(`labels: none of the ${opts.labels!.labels.size} labels matched a prediction (joined on ${opts.labels!.key})`);
  result.gates = evaluateGates(result, opts.gates ?? {});
  return result;
}
